"""Runs screen: run history, filtered and paginated from the store, updated by diff."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from dagdeck.core.console_api import Run, job_label, short_duration
from dagdeck.tui import clock
from dagdeck.tui.screens.base import BaseScreen, cursor_key, while_mounted
from dagdeck.tui.widgets.filter_input import FilterInput, filter_bar
from dagdeck.tui.widgets.key_lists import KeyTable

PAGE = 100
ICONS = {
    "QUEUED": ("…", "grey62"),
    "STARTING": ("◔", "cyan"),
    "STARTED": ("◐", "cyan"),
    "SUCCESS": ("✔", "green"),
    "FAILURE": ("✖", "red"),
    "CANCELING": ("◌", "yellow"),
    "CANCELED": ("⊘", "yellow"),
}
COLUMNS = ("status", "run", "job", "trigger", "started", "duration", "partition")
STATUS_WORDS = {
    "failed": ("FAILURE",),
    "fail": ("FAILURE",),
    "succeeded": ("SUCCESS",),
    "ok": ("SUCCESS",),
    "cancelled": ("CANCELED",),
    "running": ("STARTING", "STARTED", "CANCELING"),
}
"""What users type for `status:` (`status:failed`) beside the stored names (FAILURE, SUCCESS, ...)."""


def status_text(status: str) -> Text:
    icon, colour = ICONS.get(status, ("?", ""))
    return Text(f"{icon} {status}", style=colour)


def run_cells(run: Run, now: float) -> tuple[Text | str, ...]:
    started = run.started_at or run.created_at
    end = run.ended_at or (now if run.started_at else None)
    duration = short_duration(end - run.started_at) if run.started_at and end else "-"
    return (
        status_text(run.status),
        run.run_id[:8],
        job_label(run.job_name),
        run.trigger,
        time.strftime("%m-%d %H:%M:%S", time.localtime(started)),
        duration,
        partition_label(run.tags or {}),
    )


def partition_label(tags: dict[str, str]) -> str:
    """A run's partition (`dagster/partition`), or its range `start...end`; blank when unpartitioned."""
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    return f"{start}...{end}" if start and end else ""


@dataclass(frozen=True)
class RunFilter:
    statuses: list[str] | None = None
    job: str | None = None
    text: str | None = None
    tags: dict[str, str] | None = None
    """`partition:KEY` -> {"dagster/partition": KEY}, `backfill:ID` -> {"dagster/backfill": ID}."""


TAG_TOKENS = {"partition:": "dagster/partition", "backfill:": "dagster/backfill"}


def parse_filter(text: str) -> RunFilter:
    """`status:failed job:etl partition:2024-01-01 backfill:ID words` -> what the store filters on."""
    statuses: list[str] | None = None
    job: str | None = None
    tags: dict[str, str] = {}
    words = []
    for token in text.split():
        low = token.lower()
        tag = next((name for prefix, name in TAG_TOKENS.items() if low.startswith(prefix)), None)
        if low.startswith("status:"):
            statuses = [
                s for w in token[7:].split(",") if w for s in STATUS_WORDS.get(w.lower(), (w.upper(),))
            ]
        elif low.startswith("job:"):
            job = token[4:]
        elif tag is not None:
            tags[tag] = token.partition(":")[2]
        else:
            words.append(token)
    return RunFilter(statuses, job, " ".join(words) or None, tags or None)


class RunsScreen(BaseScreen):
    BINDINGS = [
        Binding("enter", "open_run", "Open", id="runs.open"),
        Binding("slash", "filter", "Filter", key_display="/", id="runs.filter"),
        Binding("n", "page(1)", "Older", id="runs.older"),
        Binding("p", "page(-1)", "Newer", id="runs.newer"),
        Binding("c", "cancel_run", "Cancel", id="runs.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.page = 0
        self.total = 0
        self._generation = 0
        """Bumped by each reload: a slower, older load never overwrites a newer one."""
        self._launch_seen: str | None = None
        self._want: str | None = None
        """A run this console just launched: the cursor goes there once the table shows it, and
        until then `enter` opens it (never the older run the cursor was on)."""
        self._open_when_loaded = False
        """`enter` pressed before the first page arrived: open the row under the cursor then."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        table = KeyTable(id="runs-table", cursor_type="row")
        yield table
        yield filter_bar("filter: status:failed job:NAME partition:KEY text  (tab completes)")
        yield from self.compose_chrome_bottom()

    @property
    def table(self) -> DataTable:
        return self.query_one("#runs-table", DataTable)

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.table.add_column(col, key=col)
        self.table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def data_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the page again in a worker (and pick up a run launched since the last look)."""
        launched = self.api.last_launched_run_id
        if launched and launched != self._launch_seen:
            self._launch_seen = self._want = launched
            if self.page or self.filter_text:  # the new run is on the first, unfiltered page
                self.page, self.filter_text = 0, ""
        self._generation += 1
        self._load(self._generation, self.filter_text, self.page)

    @work(thread=True, group="runs-load")
    def _load(self, generation: int, filter_text: str, page: int) -> None:
        f = parse_filter(filter_text)
        runs = self.api.runs(
            statuses=f.statuses, job=f.job, text=f.text, tags=f.tags, limit=PAGE, offset=page * PAGE
        )
        total = self.api.count_runs(statuses=f.statuses, job=f.job, text=f.text, tags=f.tags)
        self.app.call_from_thread(self._apply, runs, total, generation)

    @while_mounted
    def _apply(self, runs: list[Run], total: int, generation: int | None = None) -> None:
        """Diff the table: drop stale rows, update changed cells, add new rows, then sort."""
        if generation is not None and generation != self._generation:
            return  # a newer load is on its way
        self.total = total
        table = self.table
        now = clock.now()
        keep = self._want or self.selected_run_id
        wanted = {r.run_id: n for n, r in enumerate(runs)}
        with self.app.batch_update():
            for key in list(table.rows):
                if str(key.value) not in wanted:
                    table.remove_row(key)
            present = {str(k.value) for k in table.rows}
            for r in runs:
                cells = run_cells(r, now)
                if r.run_id in present:
                    for col, value in zip(COLUMNS, cells, strict=True):
                        if str(table.get_cell(r.run_id, col)) != str(value):
                            table.update_cell(r.run_id, col, value, update_width=True)
                else:
                    table.add_row(*cells, key=r.run_id)
            if [str(r.key.value) for r in table.ordered_rows] != list(wanted):
                by_short = {rid[:8]: n for rid, n in wanted.items()}
                table.sort("run", key=lambda short: by_short.get(str(short), 1 << 30))
            if keep and keep in wanted:
                table.move_cursor(row=table.get_row_index(keep), animate=False)
                if keep == self._want:
                    self._want = None
        if self._open_when_loaded:
            self._open_when_loaded = False
            if self.selected_run_id:
                self._open(self.selected_run_id)
        pages = max(1, (total + PAGE - 1) // PAGE)
        self.table.border_title = f"runs ({total})  page {self.page + 1}/{pages}" + (
            f"  filter: {self.filter_text}" if self.filter_text else ""
        )

    @property
    def selected_run_id(self) -> str | None:
        return cursor_key(self.table)

    def action_open_run(self) -> None:
        self._open(self.selected_run_id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def _open(self, run_id: str | None) -> None:
        """Open the run under the cursor, or the one just launched if the table is not showing it yet."""
        run_id, self._want = self._want or run_id, None
        if run_id:
            self.app.open_run(run_id)  # type: ignore[attr-defined]
        elif self.table.row_count == 0 and self.total == 0:
            self._open_when_loaded = True

    def action_filter(self) -> None:
        self.query_one(FilterInput).open(self.filter_text)

    @on(FilterInput.Updated)
    def _filter_changed(self, event: FilterInput.Updated) -> None:
        self.filter_text = event.text.strip()
        self.page = 0
        self.reload()
        if event.final:
            self.table.focus()
            self.table.move_cursor(row=0)

    def action_page(self, delta: int) -> None:
        pages = max(1, (self.total + PAGE - 1) // PAGE)
        self.page = max(0, min(pages - 1, self.page + delta))
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "cancel_run" and self.app.readonly)  # type: ignore[attr-defined]

    def action_cancel_run(self) -> None:
        run_id = self.selected_run_id
        if run_id:
            self.app.confirm_cancel(run_id)  # type: ignore[attr-defined]
