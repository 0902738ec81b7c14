"""One backfill: its progress, each partition's state and run, and the runs it launched. `space`
marks partitions (then `r` retries only the marked failed ones), `enter` opens a run, `c` cancels."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from dagdeck.core.console_api import BackfillView, Run, short_duration
from dagdeck.tui import clock
from dagdeck.tui.screens.backfill_actions import BackfillActionsScreen
from dagdeck.tui.screens.backfill_cells import (
    backfill_status_text,
    counts_text,
    duration,
    partition_status_text,
    progress_bar,
)
from dagdeck.tui.screens.base import cursor_key, while_mounted
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.screens.runs import status_text
from dagdeck.tui.widgets.key_lists import KeyTable

PARTITION_COLUMNS = ("mark", "partition", "status", "run")
RUN_COLUMNS = ("status", "run", "partitions", "started", "duration")
REFRESH_SECONDS = 1.0
HEADER_BAR = 30
MIN_BAR = 10
MARK = Text("●", style="bold magenta")


def run_partitions(view: BackfillView) -> dict[str, str]:
    """Run id -> the partitions it covers: one key, or `first…last (n)` for a range."""
    by_run: dict[str, list[str]] = {}
    for key, run_id in view.run_by_partition.items():
        by_run.setdefault(run_id, []).append(key)
    return {
        rid: keys[0] if len(keys) == 1 else f"{keys[0]}…{keys[-1]} ({len(keys)})"
        for rid, keys in by_run.items()
    }


def run_cells(run: Run, partitions: str, now: float) -> tuple[Text | str, ...]:
    end = run.ended_at or (now if run.started_at else None)
    took = short_duration(end - run.started_at) if run.started_at and end else "-"
    started = time.strftime("%m-%d %H:%M:%S", time.localtime(run.started_at)) if run.started_at else "-"
    return (status_text(run.status), run.run_id[:8], partitions, started, took)


class BackfillScreen(BackfillActionsScreen):
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="backfill.back"),
        Binding("enter", "open_run", "Open run", id="backfill.open_run"),
        Binding("space", "mark", "Mark", id="backfill.mark"),
        Binding("c", "cancel_backfill", "Cancel", id="backfill.cancel"),
        Binding("r", "retry_backfill", "Retry failed", id="backfill.retry"),
        Binding("tab", "app.focus_next", "Switch pane", show=False, id="backfill.switch"),
    ]

    def __init__(self, backfill_id: str) -> None:
        super().__init__()
        self.backfill_id = backfill_id
        self.view: BackfillView | None = None
        self.runs: list[Run] = []
        self.marked: set[str] = set()
        self._shown: dict[str, tuple[str, str]] = {}
        """Partition -> (status, run id) as the table shows it: a refresh touches changed rows only."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        yield Static(id="backfill-header")
        with Vertical(id="backfill-body"):
            yield KeyTable(id="partitions-table", cursor_type="row")
            yield KeyTable(id="backfill-runs-table", cursor_type="row")
        yield from self.compose_chrome_bottom()

    @property
    def partitions_table(self) -> DataTable:
        return self.query_one("#partitions-table", DataTable)

    @property
    def runs_table(self) -> DataTable:
        return self.query_one("#backfill-runs-table", DataTable)

    def on_mount(self) -> None:
        self.partitions_table.add_column("", key="mark", width=1)  # ● on marked partitions
        for col in PARTITION_COLUMNS[1:]:
            self.partitions_table.add_column(col, key=col)
        for col in RUN_COLUMNS:
            self.runs_table.add_column(col, key=col)
        self.partitions_table.border_title = "partitions"
        self.runs_table.border_title = "runs"
        self.partitions_table.focus()
        self.reload()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        if self.is_current:
            self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def data_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="backfill-load")
    def reload(self) -> None:
        view = self.api.backfill(self.backfill_id)
        runs = self.api.backfill_runs(self.backfill_id) if view else []
        self.app.call_from_thread(self._apply, view, runs)

    @while_mounted
    def _apply(self, view: BackfillView | None, runs: list[Run]) -> None:
        header = self.query_one("#backfill-header", Static)
        if view is None:
            header.update(Text(f"no backfill {self.backfill_id}; q goes back to the list", style="red"))
            return
        self.view, self.runs = view, runs
        now = clock.now()
        header.update(self._header(view, now))
        self._apply_partitions(view)
        self._apply_runs(view, runs, now)

    def _header(self, view: BackfillView, now: float) -> Text:
        b = view.backfill
        counts = view.counts()
        text = Text.assemble(
            ("backfill ", "bold"), (b.backfill_id, "bold"), "  ", backfill_status_text(b.status)
        )
        text.append(f"  {b.selection.get('select')}", style="bold")
        assets = b.selection.get("assets") or []
        if assets and [b.selection.get("select")] != assets:
            text.append(
                f"  (assets: {', '.join(assets[:6])}{' …' if len(assets) > 6 else ''})", style="grey62"
            )
        total = f"\n{len(b.partition_keys)} partitions  "
        words = counts_text(counts, words=True)
        room = self.query_one("#backfill-header", Static).size.width - len(total) - len(words) - 4
        text.append(total)
        text.append_text(progress_bar(counts, max(MIN_BAR, min(HEADER_BAR, room))))
        text.append("  ")
        text.append_text(words)
        created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(b.created_at))
        text.append(f"\ncreated {created}, {duration(view, now)}", style="grey70")
        text.append(f", {len(view.run_ids)} run(s)", style="grey70")
        if b.parent_backfill_id:
            text.append(f", retry of {b.parent_backfill_id}", style="grey70")
        if self.marked:
            text.append(f", {len(self.marked)} marked", style="magenta")
        if b.failure_reason:
            text.append(f"\nerror: {b.failure_reason}", style="red")
        return text

    def _apply_partitions(self, view: BackfillView) -> None:
        table = self.partitions_table
        with self.app.batch_update():
            for key, status in view.partitions.items():
                run_id = view.run_by_partition.get(key, "")
                state = (str(status), run_id)
                if key not in self._shown:
                    mark = MARK if key in self.marked else ""
                    table.add_row(mark, key, partition_status_text(status), run_id[:8], key=key)
                elif self._shown[key] != state:
                    table.update_cell(key, "status", partition_status_text(status), update_width=True)
                    table.update_cell(key, "run", run_id[:8])
                self._shown[key] = state
        table.border_title = f"partitions ({len(view.partitions)})"

    def _apply_runs(self, view: BackfillView, runs: list[Run], now: float) -> None:
        table = self.runs_table
        parts = run_partitions(view)
        wanted = {r.run_id for r in runs}
        with self.app.batch_update():
            for key in list(table.rows):
                if str(key.value) not in wanted:
                    table.remove_row(key)
            present = {str(k.value) for k in table.rows}
            for run in runs:
                cells = run_cells(run, parts.get(run.run_id, "-"), now)
                if run.run_id in present:
                    for col, value in zip(RUN_COLUMNS, cells, strict=True):
                        if table.get_cell(run.run_id, col) != value:
                            table.update_cell(run.run_id, col, value, update_width=True)
                else:
                    table.add_row(*cells, key=run.run_id)
        table.border_title = f"runs ({len(runs)})" if runs else "runs (none yet)"

    # -- keys ----------------------------------------------------------------------------------
    def selected_backfill_id(self) -> str | None:
        return self.backfill_id

    def marked_keys(self) -> list[str]:
        view = self.view
        return [k for k in view.partitions if k in self.marked] if view else sorted(self.marked)

    def action_back(self) -> None:
        self.app.pop_screen()

    def backfill_started(self, backfill_id: str) -> None:
        """A retry was recorded: show it in place of this one (q goes back to the list, which has
        its cursor on it)."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if isinstance(below, BackfillActionsScreen) and not isinstance(below, BackfillScreen):
            below.backfill_started(backfill_id)  # the list
        self.app.switch_screen(BackfillScreen(backfill_id))

    def action_mark(self) -> None:
        """Mark or unmark the partition under the cursor, then step down (to mark a run of them)."""
        table = self.partitions_table
        key = cursor_key(table)
        if key is None:
            return
        if key in self.marked:
            self.marked.discard(key)
            table.update_cell(key, "mark", "")
        else:
            self.marked.add(key)
            table.update_cell(key, "mark", MARK)
        if self.view is not None:
            self.query_one("#backfill-header", Static).update(self._header(self.view, clock.now()))
        table.move_cursor(row=table.cursor_row + 1, animate=False)

    def action_open_run(self) -> None:
        focused = self.focused
        if focused is self.runs_table:
            self._open_run(cursor_key(self.runs_table))
        else:
            self._open_partition_run(cursor_key(self.partitions_table))

    @on(DataTable.RowSelected, "#partitions-table")
    def _partition_selected(self, event: DataTable.RowSelected) -> None:
        self._open_partition_run(str(event.row_key.value))

    @on(DataTable.RowSelected, "#backfill-runs-table")
    def _run_selected(self, event: DataTable.RowSelected) -> None:
        self._open_run(str(event.row_key.value))

    def _open_partition_run(self, key: str | None) -> None:
        if key is None or self.view is None:
            return
        run_id = self.view.run_by_partition.get(key)
        if run_id is None:
            self.notify(f"partition {key} has no run yet", severity="warning")
            return
        self._open_run(run_id)

    def _open_run(self, run_id: str | None) -> None:
        if run_id:
            self.app.push_screen(RunScreen(run_id))
