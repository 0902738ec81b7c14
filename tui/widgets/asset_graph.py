"""The asset graph: one row per asset with edge lanes, grouped and collapsible, drawn with the
Line API so thousands of assets scroll smoothly."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dagdeck.core.console_api import DROPPED_NOTE, AssetRow
from dagdeck.tui import clock
from dagdeck.tui.widgets.graph_layout import GLYPH, GraphRow, layout

GLYPHS = {
    "never_materialized": ("○", "grey50"),
    "materialized": ("●", "green"),
    "failed": ("✖", "red"),
    "running": ("◐", "cyan"),
    "canceled": ("●", "yellow"),
    "external": ("◇", "blue"),
}
STATUS_ORDER = ("failed", "running", "materialized", "never_materialized", "canceled", "external")


def glyph_for(row: AssetRow) -> tuple[str, str]:
    glyph, colour = GLYPHS.get(row.status, ("?", "white"))
    if row.failed_checks and row.status not in ("running", "failed"):
        return "▲", "red"
    if row.status == "materialized" and row.value_dropped:
        return "◌", "yellow" if row.stale else "green"  # made, but no value left to load
    if row.status == "materialized" and row.stale:
        return "◍", "yellow"
    return glyph, colour


def ago(ts: float | None, now: float | None = None) -> str:
    if ts is None:
        return "never"
    delta = max(0, (now or clock.now()) - ts)
    if delta < 60:
        return f"{delta:.0f}s ago"
    if delta < 3600:
        return f"{delta / 60:.0f}m ago"
    if delta < 86400:
        return f"{delta / 3600:.0f}h ago"
    return f"{delta / 86400:.0f}d ago"


@dataclass(frozen=True)
class Item:
    kind: str
    """`group` or `asset`."""
    group: str
    row: AssetRow | None = None
    lanes: GraphRow | None = None
    counts: tuple[tuple[str, int], ...] = ()
    chunk: int = 0
    """Which run of its group's assets (a group whose assets cannot all be listed together, as
    their edges go back and forth with another group's, is listed in several runs)."""
    continued: bool = False
    """A header of a later run of the group."""


def group_runs(rows: list[AssetRow]) -> list[list[AssetRow]]:
    """`rows` (in dependency order) as runs of one group each, every edge pointing down: a group
    stays together unless its edges with another group go both ways. Kahn's order that keeps to
    the current group, then to the earliest group with an asset ready."""
    index = {r.key: n for n, r in enumerate(rows)}
    waiting = {r.key: sum(1 for u in set(r.upstream) if u in index) for r in rows}
    down: dict[str, list[str]] = {}
    for r in rows:
        for u in set(r.upstream):
            if u in index:
                down.setdefault(u, []).append(r.key)
    group_rank: dict[str, int] = {}
    for r in rows:
        group_rank.setdefault(r.group, len(group_rank))
    ready: dict[str, list[int]] = {}
    for r in rows:
        if waiting[r.key] == 0:
            heapq.heappush(ready.setdefault(r.group, []), index[r.key])
    runs: list[list[AssetRow]] = []
    current: str | None = None
    while any(ready.values()):
        if not ready.get(current or ""):
            current = min((g for g, q in ready.items() if q), key=group_rank.__getitem__)
            runs.append([])
        row = rows[heapq.heappop(ready[current])]
        runs[-1].append(row)
        for d in down.get(row.key, ()):
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready.setdefault(rows[index[d]].group, []), index[d])
    return runs


class AssetGraph(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    AssetGraph { background: $surface; }
    AssetGraph:focus { background-tint: $foreground 3%; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="graph.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="graph.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="graph.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="graph.pagedown"),
        Binding("home,g", "jump(0)", "Top", show=False, id="graph.top"),
        Binding("end,G", "jump(-1)", "Bottom", show=False, id="graph.bottom"),
        Binding("left,h", "collapse", "Collapse group", show=False, id="graph.collapse"),
        Binding("right,l", "expand", "Expand group", show=False, id="graph.expand"),
        Binding("space", "mark", "Mark", id="graph.mark"),
    ]

    class AssetHighlighted(Message):
        def __init__(self, key: str | None) -> None:
            super().__init__()
            self.key = key

    cursor = reactive(0, always_update=True)

    def __init__(
        self,
        *,
        show_status: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.show_status = show_status
        """False for a job's op graph: ops have no materialization to report."""
        self.rows: list[AssetRow] = []
        self.items: list[Item] = []
        self.collapsed: set[str] = set()
        self.marked: set[str] = set()
        self.filter_keys: set[str] | None = None
        self._cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(2048)
        self._last_key: str | None = None

    # -- data ----------------------------------------------------------------------------------
    def set_rows(self, rows: list[AssetRow]) -> None:
        keep = self.current_key
        self.rows = rows
        self._rebuild(keep)

    def set_filter(self, keys: set[str] | None) -> None:
        self.filter_keys = keys
        self._rebuild(self.current_key)

    def _rebuild(self, keep: str | None) -> None:
        rows = [r for r in self.rows if self.filter_keys is None or r.key in self.filter_keys]
        runs = group_runs(rows)
        show_groups = len({r.group for r in rows}) > 1
        items: list[Item] = []
        order: list[str] = []
        headers: set[str] = set()
        standing_for: dict[str, str] = {}
        """Asset key -> the layout node that stands for it: itself, or its collapsed group run."""
        seen: set[str] = set()
        for n, members in enumerate(runs):
            name = members[0].group
            collapsed = show_groups and name in self.collapsed
            if show_groups:
                counts: dict[str, int] = {}
                for m in members:
                    status = "stale" if m.stale and m.status == "materialized" else m.status
                    counts[status] = counts.get(status, 0) + 1
                node = f"\0group {n}"
                items.append(
                    Item("group", name, counts=tuple(sorted(counts.items())), chunk=n, continued=name in seen)
                )
                order.append(node)
                seen.add(name)
                if not collapsed:
                    headers.add(node)
            for m in members:
                standing_for[m.key] = node if collapsed else m.key
                if not collapsed:
                    items.append(Item("asset", name, row=m, chunk=n))
                    order.append(m.key)
        upstream: dict[str, set[str]] = {}
        for r in rows:
            me = standing_for[r.key]
            ups = upstream.setdefault(me, set())
            ups.update(standing_for[u] for u in r.upstream if u in standing_for and standing_for[u] != me)
        drawn = layout(order, {k: sorted(v) for k, v in upstream.items()}, headers)
        self.items = [
            Item(i.kind, i.group, i.row, g, i.counts, i.chunk, i.continued)
            for i, g in zip(items, drawn, strict=True)
        ]
        self._cache.clear()
        self.virtual_size = Size(self._content_width(), len(self.items))
        index = self._index_of(keep) if keep else None
        self.cursor = index if index is not None else min(self.cursor, max(0, len(self.items) - 1))
        self.refresh()

    def _content_width(self) -> int:
        widest = max((len(i.lanes.cells) if i.lanes else 0) for i in self.items) if self.items else 0
        longest = max((len(r.key) for r in self.rows), default=10)
        return widest + longest + 30

    def _index_of(self, key: str) -> int | None:
        for n, item in enumerate(self.items):
            if item.row is not None and item.row.key == key:
                return n
        return None

    @property
    def current_item(self) -> Item | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    @property
    def current_key(self) -> str | None:
        item = self.current_item
        return item.row.key if item and item.row else None

    def select_key(self, key: str) -> bool:
        item_group = next((r.group for r in self.rows if r.key == key), None)
        if item_group in self.collapsed:
            self.collapsed.discard(item_group)
            self._rebuild(key)
        index = self._index_of(key)
        if index is None:
            return False
        self.cursor = index
        return True

    def first_asset_index(self) -> int | None:
        return next((n for n, i in enumerate(self.items) if i.row is not None), None)

    # -- cursor --------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        # only the two rows whose highlight changed are redrawn; cached strips carry the highlight
        top = self.scroll_offset.y
        for index in {old, new}:
            if 0 <= index - top < self.size.height:
                self.refresh_line(index - top)
        self.scroll_to_region_visible(new)
        key = self.current_key
        if key != self._last_key:
            self._last_key = key
            self.post_message(self.AssetHighlighted(key))

    def scroll_to_region_visible(self, index: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height or 1
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, where: int) -> None:
        if self.items:
            self.cursor = 0 if where == 0 else len(self.items) - 1

    def action_collapse(self) -> None:
        item = self.current_item
        if item is None:
            return
        self.collapsed.add(item.group)
        self._rebuild(None)
        for n, i in enumerate(self.items):
            if i.kind == "group" and i.group == item.group and i.chunk == item.chunk:
                self.cursor = n

    def action_expand(self) -> None:
        item = self.current_item
        if item is not None and item.group in self.collapsed:
            self.collapsed.discard(item.group)
            self._rebuild(None)

    def toggle_group(self) -> None:
        item = self.current_item
        if item is None or item.kind != "group":
            return
        if item.group in self.collapsed:
            self.action_expand()
        else:
            self.action_collapse()

    def action_mark(self) -> None:
        key = self.current_key
        if key is None:
            return
        self.marked ^= {key}
        self._cache.clear()
        self.refresh()
        self.action_cursor(1)

    def on_focus(self) -> None:
        self._cache.clear()  # the focused background differs: cached strips carry the old one
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    async def _on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.items):
            self.cursor = index

    # -- drawing -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if index >= len(self.items):
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor and self.has_focus
        item = self.items[index]
        marked = item.row is not None and item.row.key in self.marked
        cache_key = (index, width, index == self.cursor, is_cursor, marked)
        cached = self._cache.get(cache_key)  # type: ignore[arg-type]
        if cached is None:
            cached = self._render_item(item, index == self.cursor, marked, width)
            self._cache[cache_key] = cached  # type: ignore[index]
        return cached.crop(self.scroll_offset.x, self.scroll_offset.x + width)

    def _render_item(self, item: Item, is_cursor: bool, marked: bool, width: int) -> Strip:
        base = self.rich_style
        cursor_style = Style(bgcolor="grey30", bold=True) if is_cursor else Style()
        segs: list[Segment] = []
        if item.kind == "group":
            collapsed = item.group in self.collapsed
            segs.append(Segment("▸ " if collapsed else "▾ ", Style(bold=True) + cursor_style))
            pre, _, post = (item.lanes.cells if item.lanes else "").partition(GLYPH)
            segs.append(Segment(pre, Style(color="grey50")))
            if collapsed:  # a collapsed group stands in the graph for its assets: a node
                segs.append(Segment("■", Style(color="grey70", bold=True)))
                segs.append(Segment(post, Style(color="grey50")))
            label = f"{item.group} (continued)" if item.continued else item.group
            segs.append(Segment(f"{label} ", Style(bold=True) + cursor_style))
            for status, n in item.counts:
                glyph, colour = GLYPHS.get(status, ("◍", "yellow"))
                segs.append(Segment(f" {glyph}{n}", Style(color=colour) + cursor_style))
        else:
            row = item.row
            assert row is not None
            lanes = item.lanes.cells if item.lanes else "@ "
            glyph, colour = glyph_for(row)
            pre, _, post = lanes.partition("@")
            lane_style = Style(color="grey50")
            segs.append(Segment("  "))
            segs.append(Segment(pre, lane_style))
            segs.append(Segment(glyph, Style(color=colour, bold=True)))
            segs.append(Segment(post, lane_style))
            mark = "+" if marked else " "
            segs.append(Segment(mark, Style(color="magenta", bold=True)))
            segs.append(Segment(row.key, Style(bold=is_cursor) + cursor_style))
            note = ago(row.last_materialized_at) if self.show_status else ""
            if row.external:
                note = "external"
            elif row.status == "failed":
                note = "failed · " + note
            elif row.status == "running":
                note = "running"
            elif row.stale and row.status == "materialized":
                note = "stale · " + note
            if row.failed_checks:
                note = f"check failed: {', '.join(row.failed_checks)} · " + note
            if row.overdue:
                note = "overdue · " + note
            if row.value_dropped:
                note += f" · {DROPPED_NOTE}"
            elif row.transient:
                note += " · transient"
            if row.multi_asset:
                note += f" · multi_asset {row.multi_asset}"
            segs.append(Segment(f"  {note}", Style(color="grey62") + cursor_style))
        strip = Strip(segs)
        total = max(width, self.virtual_size.width)
        strip = strip.extend_cell_length(total, base + cursor_style if is_cursor else base)
        return strip.apply_style(base)
