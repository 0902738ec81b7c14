"""Run screen: steps with a duration Gantt, the live event log (or a step's stdout/stderr, followed
live too), a failed step's whole error (`enter`), and the cancel's grace countdown."""

from __future__ import annotations

import time

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Log, Static

from dagdeck.core.console_api import (
    EventRow,
    EventType,
    Run,
    RunStatus,
    StepError,
    StepStatus,
    StepView,
    iso,
    job_label,
    short_duration,
)
from dagdeck.tui import clock
from dagdeck.tui.screens.base import BaseScreen, cursor_key, while_mounted
from dagdeck.tui.screens.runs import status_text
from dagdeck.tui.widgets.dialogs import grace_left
from dagdeck.tui.widgets.error_view import ErrorScreen
from dagdeck.tui.widgets.gantt import STEP_STYLE, bar, step_duration
from dagdeck.tui.widgets.key_lists import KeyTable
from dagdeck.tui.widgets.step_order import order_step_rows

STEP_COLUMNS = ("step", "status", "attempts", "duration", "timeline")
STREAMS = ("stdout", "stderr")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
POLL_SECONDS = 0.3
BAR_WIDTH = 24


def event_line(e: EventRow) -> str:
    ts = time.strftime("%H:%M:%S", time.localtime(e.timestamp)) + f".{int(e.timestamp * 1000) % 1000:03d}"
    where = e.step_key or "run"
    kind = e.event_type if e.event_type != "LOG" else (e.level or "INFO")
    text = e.message
    if e.event_type == "ASSET_MATERIALIZATION":
        meta = e.data.get("metadata") or {}
        shown = ", ".join(
            f"{k}={' '.join(str(v.get('value')).split())[:30]}" for k, v in list(meta.items())[:6]
        )
        text = f"{e.asset_key} {shown}"
    line = f"{ts} {kind:<22} {where:<24} {text}"
    if e.event_type == "STEP_FAILURE" and e.data.get("traceback"):
        line += "\n" + str(e.data["traceback"]).rstrip()
    return line


class RunScreen(BaseScreen):
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="run.back"),
        Binding("c", "cancel_run", "Cancel", id="run.cancel"),
        Binding("r", "reexecute(False)", "Re-execute", id="run.reexecute"),
        Binding("R", "reexecute(True)", "From failure", id="run.reexecute_failure"),
        Binding("f", "toggle_follow", "Follow", id="run.follow"),
        Binding("G,end", "resume_follow", "Tail", show=False, id="run.tail"),
        Binding("s", "toggle_step_filter", "Only step", id="run.step_filter"),
        Binding("e", "cycle_level", "Level", id="run.level"),
        Binding("o", "toggle_output", "Stdout/err", id="run.output"),
        Binding("a", "open_asset", "Open asset", id="run.open_asset"),
        Binding("enter", "open_step", "Error / asset", show=False, id="run.open_asset_enter"),
        Binding("tab", "app.focus_next", "Switch pane", show=False, id="run.switch"),
    ]

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.run: Run | None = None
        self.steps: dict[str, StepView] = {}
        self.events: list[EventRow] = []
        self.cursor_id = 0
        self.follow = True
        self.step_filter: str | None = None
        self.min_level = 0
        self.show_output = False
        self._polling = False
        self._out_step: str | None = None
        self._out_gen = 0
        self._out_offsets: dict[str, int] = {}
        self._out_stream: str | None = None
        """The stream whose lines the log shows last: a line of the other one starts a new section."""
        self._canceling_at: float | None = None
        self._grace = 0.0

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        yield Static(id="run-header")
        with Vertical(id="run-body"):
            table = KeyTable(id="steps-table", cursor_type="row", defer_bottom=True)  # G/end: tail the log
            yield table
            yield Log(id="run-log", max_lines=20000, auto_scroll=True)
        yield from self.compose_chrome_bottom()

    @property
    def table(self) -> DataTable:
        return self.query_one("#steps-table", DataTable)

    @property
    def log_view(self) -> Log:
        return self.query_one("#run-log", Log)

    def on_mount(self) -> None:
        for col in STEP_COLUMNS:
            self.table.add_column(col, key=col)
        self.table.focus()
        self.watch(self.log_view, "scroll_y", self._log_scrolled, init=False)
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        if not self._polling:  # polls never overlap
            self._polling = True
            self._poll()

    @work(thread=True, group="run-poll")
    def _poll(self) -> None:
        try:
            run = self.api.get_run(self.run_id)
            events = self.api.run_events(self.run_id, after_id=self.cursor_id) if run else []
            self._grace = self.api.cancel_grace_seconds
            self.app.call_from_thread(self._apply, run, events)
            step, gen = self._out_step, self._out_gen
            if self.show_output and step and self._out_offsets:
                chunks = [(name, self._out_offsets.get(name, 0), *self._read(step, name)) for name in STREAMS]
                if any(text for _, _, text, _ in chunks):
                    self.app.call_from_thread(self._apply_output, gen, chunks)
        finally:
            self._polling = False

    def _read(self, step: str, stream: str) -> tuple[str, int]:
        return self.api.step_log_since(self.run_id, step, stream, self._out_offsets.get(stream, 0))

    @while_mounted
    def _apply(self, run: Run | None, events: list[EventRow]) -> None:
        if run is None:
            self.query_one("#run-header", Static).update(f"no run {self.run_id}")
            return
        self.run_id = run.run_id
        self.run = run
        if events:
            self.cursor_id = events[-1].id
            self.events.extend(events)
            for e in events:
                if e.event_type == EventType.RUN_CANCELING and self._canceling_at is None:
                    self._canceling_at = e.timestamp
        self.steps = self.api.steps_from(run, events, self.steps or None)
        self._render_header()
        self._render_steps()
        if events and not self.show_output:
            self._append_log(events)

    def _render_header(self) -> None:
        run = self.run
        assert run is not None
        end = run.ended_at or (clock.now() if run.started_at else None)
        dur = short_duration(end - run.started_at) if run.started_at and end else "-"
        t = Text()
        t.append_text(status_text(run.status))
        t.append(f"  run {run.run_id}", style="bold")
        t.append(f"  job {job_label(run.job_name)}")
        t.append(
            f"  trigger {run.trigger}  started {iso(run.started_at) or '-'}  duration {dur}", style="grey70"
        )
        if run.parent_run_id:
            t.append(f"  parent {run.parent_run_id[:8]}", style="cyan")
        lines = [t]  # the first line wraps at 80 columns; the others are one line each, cut with …
        if run.status == RunStatus.CANCELING:
            since = self._canceling_at or clock.now()
            lines.append(Text(f"canceling: {grace_left(since, self._grace, clock.now())}", style="yellow"))
        first = self.first_error
        if (run.failure_reason and run.status != RunStatus.SUCCESS) or first is not None:
            why = Text(run.failure_reason or "", style="red")
            if first is not None:
                why.append(" — " if run.failure_reason else "", style="red")
                why.append(f"first error in {first.key}: ", style="bold red")
                why.append((first.error or "").strip().split("\n")[0], style="red")
                why.append("  (enter on it: full error)", style="grey62")
            lines.append(why)
        mode = "stdout/stderr of " + (self._out_step or "?") if self.show_output else "events"
        follow = "following" if self.follow else "paused (G resumes)"
        filt = f" · step {self.step_filter}" if self.step_filter else ""
        lines.append(Text(f"log: {mode} · {follow} · level ≥ {LEVELS[self.min_level]}{filt}", style="grey62"))
        for extra in lines[1:]:
            extra.no_wrap, extra.overflow = True, "ellipsis"
        self.query_one("#run-header", Static).update(Group(*lines))

    def _render_steps(self) -> None:
        table = self.table
        steps = list(self.steps.values())
        starts = [s.started_at for s in steps if s.started_at is not None]
        t0 = min(starts) if starts else None
        t1 = max([s.ended_at or clock.now() for s in steps if s.started_at is not None] or [clock.now()])
        if self.run and self.run.ended_at:
            t1 = max([s.ended_at or self.run.ended_at for s in steps if s.started_at] or [self.run.ended_at])
        present = {str(k.value) for k in table.rows}
        with self.app.batch_update():
            for s in steps:
                cells = (
                    Text(s.key),  # a mapped step `op[key]` is not markup
                    Text(s.status, style=STEP_STYLE.get(s.status, "")),
                    str(s.attempts),
                    step_duration(s, clock.now()),
                    bar(s, t0, t1, BAR_WIDTH),
                )
                if s.key in present:
                    for col, value in zip(STEP_COLUMNS, cells, strict=True):
                        if str(table.get_cell(s.key, col)) != str(value) or col == "timeline":
                            table.update_cell(s.key, col, value, update_width=True)
                else:
                    table.add_row(*cells, key=s.key)
        order_step_rows(table, {s.key: s.status for s in steps})

    def _visible(self, e: EventRow) -> bool:
        if self.step_filter and e.step_key != self.step_filter:
            return False
        if self.min_level:
            level = e.level or ("ERROR" if e.event_type.endswith("FAILURE") else "INFO")
            if level not in LEVELS or LEVELS.index(level) < self.min_level:
                return False
        return True

    def _append_log(self, events: list[EventRow]) -> None:
        lines = [event_line(e) for e in events if self._visible(e)]
        if lines:
            self.log_view.write_lines(lines, scroll_end=self.follow)

    def _rebuild_log(self) -> None:
        log = self.log_view
        log.clear()
        self._out_gen += 1
        self._out_offsets = {}
        self._out_step = self.selected_step if self.show_output else None
        if self.show_output:
            self._load_output(self._out_gen, self._out_step)
        else:
            self._append_log(self.events)
        self._render_header()

    @work(thread=True, group="run-output")
    def _load_output(self, gen: int, step: str | None) -> None:
        """The step's stdout and stderr so far; later polls append what they gain."""
        if not step:
            return
        chunks = [(name, 0, *self.api.step_log_since(self.run_id, step, name, 0)) for name in STREAMS]
        self.app.call_from_thread(self._apply_output, gen, chunks, True)

    @while_mounted
    def _apply_output(self, gen: int, chunks: list[tuple[str, int, str, int]], first: bool = False) -> None:
        """Append what stdout and stderr gained (from `start` to `end`); a chunk read for another
        step, or from an offset already passed, is dropped."""
        if gen != self._out_gen or not self.show_output:
            return
        step = self._out_step
        lines: list[str] = []
        if first:
            out, err = chunks[0][2], chunks[1][2]
            lines += [f"── stdout of {step} ──", *(out.splitlines() or ([] if err else ["(empty)"]))]
            if err or not out:
                lines += [f"── stderr of {step} ──", *(err.splitlines() or ["(empty)"])]
            self._out_stream = "stderr" if (err or not out) else "stdout"
            self._out_offsets = {name: end for name, _, _, end in chunks}
        else:
            for name, start, text, end in chunks:
                if not text or start != self._out_offsets.get(name, 0):
                    continue
                self._out_offsets[name] = end
                if name != self._out_stream:
                    lines.append(f"── {name} of {step} ──")
                    self._out_stream = name
                lines += text.splitlines()
        if lines:
            self.log_view.write_lines(lines, scroll_end=self.follow)

    @property
    def selected_step(self) -> str | None:
        return cursor_key(self.table)

    @on(DataTable.RowSelected, "#steps-table")
    def _step_selected(self, event: DataTable.RowSelected) -> None:
        """`enter` on a failed step opens its error; on a step that materialized an asset, the asset."""
        view = self.steps.get(str(event.row_key.value))
        if view is None:
            return
        if view.status in (StepStatus.FAILED, StepStatus.UP_FOR_RETRY) and (view.error or view.traceback):
            self._open_error(view)
        elif view.asset_key:
            self.app.open_asset(view.asset_key)  # type: ignore[attr-defined]

    @property
    def first_error(self) -> StepView | None:
        """The step that failed first (canceled steps are not errors)."""
        failed = [s for s in self.steps.values() if s.status == StepStatus.FAILED and s.error]
        return min(failed, key=lambda s: s.ended_at or 0.0) if failed else None

    @work(thread=True, group="run-error")
    def _open_error(self, view: StepView) -> None:
        err = self.api.step_error(self.run_id, view)
        self.app.call_from_thread(self._show_error, err)

    @while_mounted
    def _show_error(self, err: StepError) -> None:
        if self.app.screen is self:
            self.app.push_screen(ErrorScreen(self.run_id, err))

    @on(DataTable.RowHighlighted, "#steps-table")
    def _step_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.show_output:
            self._rebuild_log()

    # -- actions -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("cancel_run", "reexecute") and self.app.readonly)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cancel_run(self) -> None:
        self.app.confirm_cancel(self.run_id)  # type: ignore[attr-defined]

    def action_reexecute(self, from_failure: bool) -> None:
        self.app.reexecute(self.run_id, from_failure)  # type: ignore[attr-defined]

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self.log_view.auto_scroll = self.follow
        if self.follow:
            self.log_view.scroll_end(animate=False)
        self._render_header()

    def action_resume_follow(self) -> None:
        self.follow = True
        self.log_view.auto_scroll = True
        self.log_view.scroll_end(animate=False)
        self._render_header()

    def action_toggle_step_filter(self) -> None:
        step = self.selected_step
        self.step_filter = None if self.step_filter or not step else step
        self._rebuild_log()

    def action_cycle_level(self) -> None:
        self.min_level = (self.min_level + 1) % len(LEVELS)
        self._rebuild_log()

    def action_toggle_output(self) -> None:
        self.show_output = not self.show_output
        self._rebuild_log()

    def action_open_step(self) -> None:
        """`enter` when the log has focus: as on the steps table."""
        view = self.steps.get(self.selected_step or "")
        if view is not None and view.status in (StepStatus.FAILED, StepStatus.UP_FOR_RETRY) and view.error:
            self._open_error(view)
        else:
            self.action_open_asset()

    def action_open_asset(self) -> None:
        step = self.selected_step
        view = self.steps.get(step or "")
        if view is not None and view.asset_key:
            self.app.open_asset(view.asset_key)  # type: ignore[attr-defined]
        else:
            self.notify("this step is not an asset", severity="warning")

    def _log_scrolled(self, y: float) -> None:
        """Scrolling up pauses following; reaching the end again resumes it."""
        log = self.log_view
        at_end = y >= log.max_scroll_y - 1
        if self.follow != at_end and log.max_scroll_y > 0:
            self.follow = at_end
            log.auto_scroll = at_end
            self._render_header()
