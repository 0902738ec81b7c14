"""`h` on a metadata entry: its value at every materialization as a table (time, run, value),
under a plot of it when it is numeric, with its min, max and last value."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from dagdeck.core.console_api import AssetDetail, iso
from dagdeck.tui.widgets.sparkline_text import number

PLOT_HEIGHT = 10


def value_text(value: Any) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number(float(value))
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:200] + "…"


def plot_text(numbers: list[float], width: int, height: int = PLOT_HEIGHT) -> str:
    """The series drawn by plotext (x: materialization, oldest first), colorless."""
    import plotext  # loads only when a history is opened

    fig = plotext.figure
    fig.clear()
    plotext.terminal.limit(False, False)
    fig.plot_size(max(20, width), height)
    xs = list(range(1, len(numbers) + 1))
    fig.draw(fig.signal(xs, numbers).lines())
    step = max(1, len(xs) // 8)  # whole materializations on the x axis, at most about eight
    ticks = xs[::step] if xs[-1] in xs[::step] else [*xs[::step], xs[-1]]
    fig.ruler("x").ticks(ticks, [f"#{x}" for x in ticks])
    return str(fig.build().string(colorless=True)).rstrip("\n")


class HistoryTable(DataTable[Any]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="history.down"),
        Binding("k", "cursor_up", "Up", show=False, id="history.up"),
    ]


class MetadataHistoryScreen(ModalScreen[None]):
    """One entry's history; `tab`/`shift+tab` step to the asset's other entries."""

    DEFAULT_CSS = """
    MetadataHistoryScreen { align: center middle; }
    MetadataHistoryScreen > Vertical { width: 96%; max-width: 130; height: 92%; border: thick $accent;
        background: $surface; padding: 0 1; }
    MetadataHistoryScreen #history-plot { height: auto; color: $text; }
    MetadataHistoryScreen #history-summary { color: $text-muted; }
    MetadataHistoryScreen DataTable { height: 1fr; }
    MetadataHistoryScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q,h", "close", "Close", id="history.close"),
        Binding("tab", "entry(1)", "Next entry", id="history.next"),
        Binding("shift+tab", "entry(-1)", "Previous entry", id="history.previous"),
    ]

    def __init__(self, detail: AssetDetail, name: str) -> None:
        super().__init__()
        self.detail = detail
        self.names = list(detail.history)
        self.entry = name if name in detail.history else (self.names[0] if self.names else name)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="history-title")
            yield Static(id="history-summary")
            yield Static(id="history-plot")
            yield HistoryTable(id="history-table", cursor_type="row", zebra_stripes=True)
            yield Static("tab / shift+tab: other entry    j/k: move    escape: close", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(HistoryTable)
        table.add_columns("time", "run", "value")
        self.show_entry()
        table.focus()

    def show_entry(self) -> None:
        points = self.detail.history.get(self.entry, [])
        numbers = [p.number for p in points if p.number is not None]
        numeric = len(numbers) == len(points) and len(numbers) > 1
        title = Text()
        title.append(f"{self.detail.row.key} · ", style="grey70")
        title.append(self.entry, style="bold")
        title.append(f"   {len(points)} materialization{'' if len(points) == 1 else 's'}", style="grey70")
        self.query_one("#history-title", Static).update(title)
        summary = ""
        if numbers:
            summary = f"min {number(min(numbers))}   max {number(max(numbers))}   last {number(numbers[-1])}"
        self.query_one("#history-summary", Static).update(summary)
        plot = self.query_one("#history-plot", Static)
        screen_w, screen_h = self.app.size
        width = min(130, int(screen_w * 0.96)) - 6  # the box: 96% up to 130, less border and padding
        plot.update(plot_text(numbers, width, PLOT_HEIGHT if screen_h > 28 else 7) if numeric else "")
        plot.display = numeric
        table = self.query_one(HistoryTable)
        table.clear()
        for p in reversed(points):  # newest first, as the pane's recent runs
            table.add_row(iso(p.timestamp) or "", p.run_id[:8], value_text(p.value))

    def action_entry(self, step: int) -> None:
        if self.names:
            index = self.names.index(self.entry) if self.entry in self.names else 0
            self.entry = self.names[(index + step) % len(self.names)]
            self.show_entry()

    def action_close(self) -> None:
        self.dismiss(None)
