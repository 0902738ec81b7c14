"""Automation screen: schedules and sensors with on/off, next tick and last result; the row under
the cursor shows its tick history (skip reasons, errors, the runs each tick launched). All of it
refreshes every second by itself: a monitoring screen must not wait for a key press."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from dagdeck.core.console_api import DagdeckError, InstigatorStatus, short_duration, status_style
from dagdeck.tui import clock
from dagdeck.tui.screens.base import BaseScreen, cursor_key, while_mounted
from dagdeck.tui.widgets.asset_graph import ago
from dagdeck.tui.widgets.key_lists import KeyTable

if TYPE_CHECKING:
    from dagdeck.core.console_api import AutomationRow, TickView

COLUMNS = ("on", "name", "next tick", "last tick", "kind", "job", "when")
"""The ticks before the long `when` column: at 80 columns they stay on screen."""
REFRESH_SECONDS = 1.0
TICK_STYLE = {"SUCCESS": "green", "SKIPPED": "grey62", "FAILURE": "red", "STARTED": "cyan"}


def row_cells(r: AutomationRow, now: float) -> tuple[Text | str, ...]:
    on_ = (
        Text("● on", style=status_style(r.status))
        if r.status == InstigatorStatus.RUNNING
        else Text("○ off", style=status_style(r.status))
    )
    when = r.cron_schedule or (
        f"{r.sensor_kind}: {r.target}" if r.target else f"every {r.minimum_interval_seconds:g}s"
    )
    nxt = "-"
    if r.status == InstigatorStatus.RUNNING and r.next_tick is not None:
        nxt = "now" if r.next_tick - now < 1 else "in " + short_duration(r.next_tick - now)
    last = Text("-")
    if r.last_tick is not None:
        t = r.last_tick
        last = Text(f"{t.status} {ago(t.timestamp, now)}", style=TICK_STYLE.get(t.status, ""))
        if t.skip_reason and t.status == "SKIPPED":
            last.append(f" ({t.skip_reason[:40]})", style="grey62")
        elif t.run_ids:
            last.append(f" {len(t.run_ids)} run(s)", style="cyan")
    return (on_, r.name, nxt, last, r.kind, r.job_name or "-", Text(when))


class AutomationScreen(BaseScreen):
    BINDINGS = [
        Binding("space", "toggle", "On/off", id="automation.toggle"),
        Binding("t", "tick", "Evaluate sensor", id="automation.tick"),
        Binding("enter", "history", "Tick history", id="automation.history"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AutomationRow] = []
        self.history_name: str | None = None
        """The schedule or sensor whose tick history is shown (refreshed with the rows)."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        with Vertical(id="automation-body"):
            table = KeyTable(id="automation-table", cursor_type="row")
            yield table
            yield Static("enter: tick history of the selected schedule or sensor", id="tick-history")
        yield from self.compose_chrome_bottom()

    @property
    def table(self) -> DataTable:
        return self.query_one("#automation-table", DataTable)

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.table.add_column(col, key=col)
        self.table.focus()
        self.reload()
        self.set_interval(REFRESH_SECONDS, self.reload)

    def data_changed(self) -> None:
        self.reload()

    def definitions_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="automation-load")
    def reload(self) -> None:
        rows = self.api.automation_rows()
        name = self.history_name
        ticks = self.api.tick_history(name) if name and any(r.name == name for r in rows) else None
        self.app.call_from_thread(self._apply, rows)
        if name and ticks is not None:
            self.app.call_from_thread(self._show_history, name, ticks)

    @while_mounted
    def _apply(self, rows: list[AutomationRow]) -> None:
        self.rows = rows
        table = self.table
        now = clock.now()
        present = {str(k.value) for k in table.rows}
        with self.app.batch_update():
            for key in present - {r.name for r in rows}:
                table.remove_row(key)
            for r in rows:
                cells = row_cells(r, now)
                if r.name in present:
                    for col, value in zip(COLUMNS, cells, strict=True):
                        if str(table.get_cell(r.name, col)) != str(value):
                            table.update_cell(r.name, col, value, update_width=True)
                else:
                    table.add_row(*cells, key=r.name)
        if not rows:
            self.query_one("#tick-history", Static).update("no schedules or sensors in these definitions")

    @property
    def selected(self) -> AutomationRow | None:
        name = cursor_key(self.table)
        return next((r for r in self.rows if r.name == name), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("toggle", "tick") and self.app.readonly)  # type: ignore[attr-defined]

    def action_toggle(self) -> None:
        row = self.selected
        if row is not None:
            self._toggle(row.name)

    @work(thread=True, group="automation-act")
    def _toggle(self, name: str) -> None:
        try:
            status = self.api.toggle_automation(name)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.notify, f"{name}: {status}")
        self.app.call_from_thread(self.reload)

    def action_tick(self) -> None:
        row = self.selected
        if row is None or row.kind != "sensor":
            self.notify("select a sensor to evaluate it now", severity="warning")
            return
        self._tick(row.name)

    @work(thread=True, group="automation-act")
    def _tick(self, name: str) -> None:
        try:
            message = self.api.evaluate_sensor(name)
        except DagdeckError as err:
            message = str(err)
        self.app.call_from_thread(self.notify, message)
        self.app.call_from_thread(self.reload)

    def action_history(self) -> None:
        row = self.selected
        if row is not None:
            self._history(row.name)

    @on(DataTable.RowSelected, "#automation-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._history(str(event.row_key.value))

    @on(DataTable.RowHighlighted, "#automation-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self._history(str(event.row_key.value))

    @work(thread=True, exclusive=True, group="automation-history")
    def _history(self, name: str) -> None:
        ticks = self.api.tick_history(name)
        self.app.call_from_thread(self._show_history, name, ticks)

    @while_mounted
    def _show_history(self, name: str, ticks: list[TickView]) -> None:
        if name != (cursor_key(self.table) or name):
            return  # the cursor moved on meanwhile: that row's history is on its way
        self.history_name = name
        text = Text(f"ticks of {name}\n", style="bold")
        if not ticks:
            text.append("no ticks yet", style="grey62")
        now = clock.now()
        for tv in ticks[:15]:
            t = tv.tick
            text.append(f"{ago(t.timestamp, now):>9} ", style="grey70")
            text.append(f"{t.status:<8}", style=TICK_STYLE.get(t.status, ""))
            if tv.runs:
                text.append(
                    "  runs " + ", ".join(f"{r.run_id[:8]} {r.status}" for r in tv.runs[:4]), style="cyan"
                )
            if t.skip_reason:
                text.append(f"  {t.skip_reason}", style="grey62")
            if t.error:
                text.append(f"  {t.error.strip().splitlines()[-1]}", style="red")
            text.append("\n")
        self.query_one("#tick-history", Static).update(text)
