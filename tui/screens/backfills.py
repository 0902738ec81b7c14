"""Backfills screen: every backfill newest first, with a progress bar and its partitions' counts,
refreshing by itself while it shows; `enter` opens one (its partitions and runs), `c` cancels it,
`r` retries its failed partitions."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from dagdeck.core.console_api import BackfillStatus, BackfillView
from dagdeck.tui import clock
from dagdeck.tui.screens.backfill import BackfillScreen
from dagdeck.tui.screens.backfill_actions import BackfillActionsScreen
from dagdeck.tui.screens.backfill_cells import (
    backfill_status_text,
    counts_text,
    duration,
    legend,
    progress_bar,
    selection_of,
)
from dagdeck.tui.screens.base import cursor_key, while_mounted
from dagdeck.tui.widgets.key_lists import KeyTable

COLUMNS = ("status", "backfill", "progress", "partitions", "created", "duration", "selection")
"""How a backfill goes first; the selection (in the detail's header too) last, as it may be long."""
LIMIT = 100
REFRESH_SECONDS = 1.0


def backfill_cells(view: BackfillView, now: float) -> tuple[Text | str, ...]:
    b = view.backfill
    counts = view.counts()
    return (
        backfill_status_text(b.status),
        b.backfill_id,
        progress_bar(counts),
        Text.assemble((f"{len(b.partition_keys):>3}", "bold"), "  ", counts_text(counts)),
        time.strftime("%m-%d %H:%M", time.localtime(b.created_at)),
        duration(view, now),
        selection_of(view),
    )


class BackfillsScreen(BackfillActionsScreen):
    BINDINGS = [
        Binding("enter", "open_backfill", "Open", id="backfills.open"),
        Binding("c", "cancel_backfill", "Cancel", id="backfills.cancel"),
        Binding("r", "retry_backfill", "Retry failed", id="backfills.retry"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[BackfillView] = []
        self._loaded = False
        self._want: str | None = None
        """A backfill this console just started (a retry): the cursor goes there once it shows."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        yield KeyTable(id="backfills-table", cursor_type="row")
        yield Static(legend(), id="backfills-legend")
        yield from self.compose_chrome_bottom()

    @property
    def table(self) -> DataTable:
        return self.query_one("#backfills-table", DataTable)

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.table.add_column(col, key=col)
        self.table.focus()
        self.reload()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        """Backfills end and durations grow without a new event: read again while shown."""
        if self.is_current:
            self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def data_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="backfills-load")
    def reload(self) -> None:
        views = self.api.backfills(limit=LIMIT)
        self.app.call_from_thread(self._apply, views)

    @while_mounted
    def _apply(self, views: list[BackfillView]) -> None:
        """Diff the table (drop, update, add), then order it newest first."""
        self.views, self._loaded = views, True
        table = self.table
        now = clock.now()
        keep = self._want or cursor_key(table)
        order = {v.backfill.backfill_id: n for n, v in enumerate(views)}
        with self.app.batch_update():
            for key in list(table.rows):
                if str(key.value) not in order:
                    table.remove_row(key)
            present = {str(k.value) for k in table.rows}
            for view in views:
                bid = view.backfill.backfill_id
                cells = backfill_cells(view, now)
                if bid in present:
                    for col, value in zip(COLUMNS, cells, strict=True):
                        if table.get_cell(bid, col) != value:
                            table.update_cell(bid, col, value, update_width=True)
                else:
                    table.add_row(*cells, key=bid)
            if [str(r.key.value) for r in table.ordered_rows] != list(order):
                table.sort("backfill", key=lambda bid: order.get(str(bid), 1 << 30))
            if keep and keep in order:
                table.move_cursor(row=table.get_row_index(keep), animate=False)
                if keep == self._want:
                    self._want = None
        active = sum(
            v.backfill.status in (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS) for v in views
        )
        table.border_title = f"backfills ({len(views)}, {active} active)"
        if not views:
            self.query_one("#backfills-legend", Static).update(
                Text(
                    "no backfills yet: mark partitions in an asset's partition view (p) and press b, "
                    "or run `dagdeck backfill launch`",
                    style="grey62",
                )
            )
        else:
            self.query_one("#backfills-legend", Static).update(legend())

    # -- what the actions act on ---------------------------------------------------------------
    def selected_view(self) -> BackfillView | None:
        bid = cursor_key(self.table)
        return next((v for v in self.views if v.backfill.backfill_id == bid), None)

    def selected_backfill_id(self) -> str | None:
        return cursor_key(self.table)

    def action_open_backfill(self) -> None:
        self._open(cursor_key(self.table))

    @on(DataTable.RowSelected, "#backfills-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def _open(self, backfill_id: str | None) -> None:
        if backfill_id:
            self.app.push_screen(BackfillScreen(backfill_id))

    def backfill_started(self, backfill_id: str) -> None:
        self._want = backfill_id
        self.reload()
