"""The partition view (`p` on a partitioned asset): every partition as a cell of a grid, coloured by
status. Daily partitions run a week to a row, hourly ones a day; a multi-partitioned asset has its
second dimension as rows. `space` marks, shift+arrows mark a range, `m` runs the partition under the
cursor and `b` backfills the marked ones, each after a confirm dialog that says how many runs start.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from dagdeck.core.console_api import DagdeckError, PartitionHealth
from dagdeck.tui.screens.base import BaseScreen, while_mounted
from dagdeck.tui.widgets.dialogs import ConfirmScreen
from dagdeck.tui.widgets.partition_strip import CELL, LABEL, PartitionStrip

CELL_WIDTH = 2
"""A glyph and a gap."""
NAMED_ROWS = 200
"""Up to this many partitions without dates get a row each."""


def row_length(health: PartitionHealth, width: int) -> int:
    """Cells per grid row of a one-dimensional asset: a week of days, a day of hours, one named
    partition, else what fits."""
    dates = health.dates
    if dates is not None and len(dates) > 1:
        step = dates[1] - dates[0]
        if step == timedelta(days=1):
            return 7
        if step == timedelta(hours=1):
            return 24
    if dates is None and len(health.keys) <= NAMED_ROWS:
        return 1  # names (regions, customers) read best one to a row, the key as its label
    return max(1, width // CELL_WIDTH)


class PartitionGrid(Widget, can_focus=True):
    """The cells. The screen owns the cursor and the marks; the grid draws them."""

    DEFAULT_CSS = "PartitionGrid { width: auto; height: auto; }"

    def __init__(self, health: PartitionHealth, per_row: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.health, self.per_row = health, per_row
        self.cursor = 0
        """Index into `health.keys` of the cell under the cursor."""
        self.marked: set[int] = set()

    @property
    def multi(self) -> bool:
        return bool(self.health.rows)

    @property
    def shape(self) -> tuple[int, int]:
        """(columns, rows) of the grid."""
        h = self.health
        if self.multi:
            return len(h.columns), len(h.rows)
        return min(self.per_row, len(h.keys)), -(-len(h.keys) // self.per_row)

    def index_at(self, col: int, row: int) -> int | None:
        cols, rows = self.shape
        if not (0 <= col < cols and 0 <= row < rows):
            return None
        index = col * len(self.health.rows) + row if self.multi else row * self.per_row + col
        return index if index < len(self.health.keys) else None

    def position(self, index: int) -> tuple[int, int]:
        if self.multi:
            return divmod(index, len(self.health.rows))
        row, col = divmod(index, self.per_row)
        return col, row

    def row_labels(self) -> list[str]:
        h = self.health
        if self.multi:
            return h.rows
        return [h.keys[r * self.per_row] for r in range(self.shape[1])]

    def label_width(self) -> int:
        return max((len(label) for label in self.row_labels()), default=0) + 1

    def render(self) -> Text:
        statuses = self.health.statuses
        labels = self.row_labels()
        width = self.label_width()
        out = Text(no_wrap=True)
        cols, rows = self.shape
        for row in range(rows):
            out.append(labels[row].ljust(width), style="grey62")
            for col in range(cols):
                index = self.index_at(col, row)
                if index is None:
                    out.append(" " * CELL_WIDTH)
                    continue
                glyph, colour = CELL[statuses[index]]
                style = f"{colour} reverse" if index == self.cursor else colour
                if index in self.marked:
                    style += " underline bold"
                out.append(glyph, style=style)
                out.append(
                    " ", style="underline" if index in self.marked and index + 1 in self.marked else ""
                )
            if row < rows - 1:
                out.append("\n")
        return out

    def cursor_region(self) -> Region:
        col, row = self.position(self.cursor)
        return Region(self.label_width() + col * CELL_WIDTH, row, CELL_WIDTH, 1)


class PartitionsScreen(BaseScreen):
    BINDINGS = [
        Binding("escape", "back_or_clear", "Back", id="partitions.back"),
        Binding("q", "back", "Back", show=False, id="partitions.quit"),
        Binding("left,h", "move(-1, 0)", "Left", show=False, id="partitions.left"),
        Binding("right,l", "move(1, 0)", "Right", show=False, id="partitions.right"),
        Binding("up,k", "move(0, -1)", "Up", show=False, id="partitions.up"),
        Binding("down,j", "move(0, 1)", "Down", show=False, id="partitions.down"),
        Binding("shift+left,H", "extend(-1, 0)", "Mark left", show=False, id="partitions.range_left"),
        Binding("shift+right,L", "extend(1, 0)", "Mark right", show=False, id="partitions.range_right"),
        Binding("shift+up,K", "extend(0, -1)", "Mark up", show=False, id="partitions.range_up"),
        Binding("shift+down,J", "extend(0, 1)", "Mark down", show=False, id="partitions.range_down"),
        Binding("space", "mark", "Mark", id="partitions.mark"),
        Binding("m", "materialize", "Run partition", id="partitions.materialize"),
        Binding("b", "backfill", "Backfill marked", id="partitions.backfill"),
    ]

    DEFAULT_CSS = """
    PartitionsScreen #partitions-title { padding: 0 1; }
    PartitionsScreen PartitionStrip { padding: 0 1; margin-bottom: 1; }
    PartitionsScreen #partitions-body { height: 1fr; padding: 0 1; }
    PartitionsScreen #partitions-info { padding: 0 1; height: auto; }
    PartitionsScreen #partitions-hint { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, asset: str, health: PartitionHealth) -> None:
        super().__init__()
        self.asset, self.health = asset, health
        self.anchor: int | None = None
        """Where a shift-range started."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        yield Static(self._title(), id="partitions-title")
        yield PartitionStrip(self.health, id="partitions-strip")
        with ScrollableContainer(id="partitions-body"):
            yield PartitionGrid(self.health, row_length(self.health, 60), id="partitions-grid")
        yield Static(id="partitions-info")
        yield Static(
            "←↓↑→ move · space mark · shift+←→ range · m run one · b backfill · esc back",
            id="partitions-hint",
        )
        yield from self.compose_chrome_bottom()

    @property
    def grid(self) -> PartitionGrid:
        return self.query_one(PartitionGrid)

    def on_mount(self) -> None:
        self.grid.focus()
        self._show_info()

    def _title(self) -> Text:
        h = self.health
        title = Text()
        title.append("partitions of ", style="grey62")
        title.append(self.asset, style="bold")
        if h.rows:
            title.append(f"   {h.dimensions[0]} across × {h.dimensions[1]} down", style="grey62")
        return title

    # -- data -------------------------------------------------------------------------------------
    def data_changed(self) -> None:
        self._reload()

    @work(thread=True, exclusive=True, group="partitions-load")
    def _reload(self) -> None:
        try:
            health = self.api.partition_health(self.asset)
        except Exception as err:  # noqa: BLE001 - a store hiccup shows as a message, not a crash
            self.app.call_from_thread(
                self.notify, f"cannot read partitions of {self.asset}: {err}", severity="error"
            )
            return
        if health is not None:
            self.app.call_from_thread(self._apply, health)

    @while_mounted
    def _apply(self, health: PartitionHealth) -> None:
        grid = self.grid
        if health.keys != self.health.keys:  # partitions added or deleted: marks by key
            keep = {self.health.keys[i] for i in grid.marked}
            grid.marked = {i for i, k in enumerate(health.keys) if k in keep}
            grid.cursor = min(grid.cursor, max(0, len(health.keys) - 1))
        self.health = grid.health = health
        self.query_one(PartitionStrip).set_health(health)
        grid.refresh(layout=True)
        self._show_info()

    # -- cursor and marks -------------------------------------------------------------------------
    def _step(self, dx: int, dy: int) -> int | None:
        """The index one move away; left/right run on into the next row of a one-dimensional grid."""
        grid = self.grid
        if not grid.multi and dy == 0:
            target = grid.cursor + dx
            return target if 0 <= target < len(self.health.keys) else None
        col, row = grid.position(grid.cursor)
        return grid.index_at(col + dx, row + dy)

    def action_move(self, dx: int, dy: int) -> None:
        target = self._step(dx, dy)
        self.anchor = None
        if target is not None:
            self._put_cursor(target)

    def action_extend(self, dx: int, dy: int) -> None:
        grid = self.grid
        if self.anchor is None:
            self.anchor = grid.cursor
        target = self._step(dx, dy)
        if target is None:
            return
        grid.marked = self._range(self.anchor, target)
        self._put_cursor(target)

    def _range(self, a: int, b: int) -> set[int]:
        """Keys `a` to `b` in order; for a multi-partitioned asset, the rectangle they span."""
        grid = self.grid
        if not grid.multi:
            return set(range(min(a, b), max(a, b) + 1))
        (c1, r1), (c2, r2) = grid.position(a), grid.position(b)
        return {
            i
            for c in range(min(c1, c2), max(c1, c2) + 1)
            for r in range(min(r1, r2), max(r1, r2) + 1)
            if (i := grid.index_at(c, r)) is not None
        }

    def _put_cursor(self, index: int) -> None:
        grid = self.grid
        grid.cursor = index
        grid.refresh()
        self.query_one("#partitions-body", ScrollableContainer).scroll_to_region(
            grid.cursor_region(), animate=False
        )
        self._show_info()

    def action_mark(self) -> None:
        grid = self.grid
        grid.marked ^= {grid.cursor}
        self.anchor = None
        grid.refresh()
        self._show_info()

    def action_back_or_clear(self) -> None:
        if self.grid.marked:
            self.grid.marked = set()
            self.anchor = None
            self.grid.refresh()
            self._show_info()
        else:
            self.action_back()

    def action_back(self) -> None:
        self.app.pop_screen()

    def marked_keys(self) -> list[str]:
        return [self.health.keys[i] for i in sorted(self.grid.marked)]

    @property
    def cursor_key(self) -> str:
        return self.health.keys[self.grid.cursor]

    def _show_info(self) -> None:
        grid, h = self.grid, self.health
        status = h.statuses[grid.cursor]
        glyph, colour = CELL[status]
        info = Text()
        info.append(f"{glyph} ", style=colour)
        info.append(self.cursor_key, style="bold")
        info.append(f"  {LABEL[status]}", style=colour)
        marked = self.marked_keys()
        if marked:
            span = marked[0] if len(marked) == 1 else f"{marked[0]} … {marked[-1]}"
            info.append(f"   {len(marked):,} marked ({span})", style="yellow")
        self.query_one("#partitions-info", Static).update(info)

    # -- actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("materialize", "backfill") and self.app.readonly)  # type: ignore[attr-defined]

    def action_materialize(self) -> None:
        key = self.cursor_key

        def answer(ok: bool | None) -> None:
            if ok:
                self._launch_run(key)

        body = f"1 run will start: {self.asset} for partition {key}."
        self.app.push_screen(ConfirmScreen(f"Materialize partition {key}?", body), answer)

    @work(thread=True, group="launch")
    def _launch_run(self, key: str) -> None:
        try:
            run = self.api.materialize_partition([self.asset], key)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.notify, f"run {run.run_id[:8]} {run.status}: {self.asset} [{key}]")
        self._reload()

    def action_backfill(self) -> None:
        keys = self.marked_keys()
        if not keys:
            self.notify(
                "no partition marked: space marks the one under the cursor, shift+arrows a range; then b",
                severity="warning",
            )
            return
        self._count_then_confirm(keys)

    @work(thread=True, exclusive=True, group="backfill-count")
    def _count_then_confirm(self, keys: list[str]) -> None:
        try:
            runs = self.api.backfill_run_count([self.asset], keys)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._confirm_backfill, keys, runs)

    @while_mounted
    def _confirm_backfill(self, keys: list[str], runs: int) -> None:
        span = keys[0] if len(keys) == 1 else f"{keys[0]} … {keys[-1]}"
        body = (
            f"{runs:,} run(s) will start for {self.asset} ({span}).\n"
            "The daemon launches them through the run queue; the Backfills screen shows its progress."
        )

        def answer(ok: bool | None) -> None:
            if ok:
                self._launch_backfill(keys)

        self.app.push_screen(ConfirmScreen(f"Backfill {len(keys):,} partition(s)?", body), answer)

    @work(thread=True, group="launch")
    def _launch_backfill(self, keys: list[str]) -> None:
        try:
            backfill = self.api.launch_backfill([self.asset], keys)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(
            self.notify,
            f"backfill {backfill.backfill.backfill_id[:8]} requested: {len(keys):,} partition(s) of {self.asset}",
        )
        self.app.call_from_thread(self._clear_marks)

    @while_mounted
    def _clear_marks(self) -> None:
        self.grid.marked = set()
        self.grid.refresh()
        self._show_info()
