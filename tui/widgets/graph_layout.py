"""Lay out a DAG as rows with edge lanes, git-log-graph style, one row per node.

Rows come in topological order. A lane carries a node's output down the screen until its last
consumer; the node's glyph sits at the top of its own lane. What the cells mean, so that the
drawing holds exactly the graph's edges (`tests/tui/test_graph_edges.py` reads them back):

- `@` is the node's glyph. A lane that comes down into a glyph is an edge into that node; so a
  node never sits on a lane that goes on below it, nor right under a glyph it does not read.
- `└ ┘ ┴` end a lane at the row's node, `├ ┤ ┼` join it and let it go on, joined to the glyph
  by `─`; a lane crossed by that line without joining it stays `│`.
- A header row (a group heading between nodes) lets every open lane pass as `│`.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

MAX_LANES = 48
"""Lanes drawn; a wider graph draws `…` for the rest (scroll right is no help past this)."""
GLYPH = "@"
ENDS = {"left": "└", "right": "┘", "middle": "┴"}
JOINS = {"left": "├", "right": "┤", "middle": "┼"}


@dataclass(frozen=True)
class GraphRow:
    node: str
    column: int
    """The glyph's lane; -1 on a header row."""
    cells: str
    """Two characters per lane; the node's own cell holds a placeholder `@` for the status glyph."""


def layout(
    order: Sequence[str], upstream: Mapping[str, Sequence[str]], headers: Collection[str] = ()
) -> list[GraphRow]:
    """Lanes for `order`; ids in `headers` are pass-through rows, not nodes. Edges whose source is
    not (yet) shown are ignored. Linear in rows and edges: open lanes are found through
    `lane_of`, free ones come from a heap."""
    position = {n: i for i, n in enumerate(order)}
    consumers: dict[str, int] = {n: 0 for n in order}
    for n in order:
        if n in headers:
            continue
        for u in set(upstream.get(n, ())):
            if u in position and position[u] < position[n] and u not in headers:
                consumers[u] += 1
    lanes: list[str | None] = []
    lane_of: dict[str, int] = {}
    free: list[int] = []  # heap of indices < len(lanes) whose lane is empty
    rows: list[GraphRow] = []
    bare_glyph: int | None = None
    """The previous row's glyph column when no lane leaves it: a glyph right below would read as an edge."""

    def first_free() -> int:
        """Lowest empty lane not right under a bare glyph (stale heap entries dropped lazily)."""
        while free and (free[0] >= len(lanes) or lanes[free[0]] is not None):
            heapq.heappop(free)
        if free and free[0] != bare_glyph:
            return free[0]
        # the lowest is blocked: take the next empty one, or a new lane
        return next((j for j in range(len(lanes)) if lanes[j] is None and j != bare_glyph), _new_lane())

    def _new_lane() -> int:
        return len(lanes) if len(lanes) != bare_glyph else len(lanes) + 1

    for node in order:
        if node in headers:
            rows.append(GraphRow(node, -1, _pass_through(lanes)))
            bare_glyph = None
            continue
        ups = {u for u in upstream.get(node, ()) if u in lane_of}
        feeding = sorted(lane_of[u] for u in ups)
        ending = set()
        for j in feeding:
            src = lanes[j]
            assert src is not None
            consumers[src] -= 1
            if consumers[src] == 0:
                ending.add(j)
        col = min(ending) if ending else first_free()
        width = max(len(lanes), col + 1)
        cells = _draw(lanes, width, col, set(feeding), ending)
        for j in ending:
            src = lanes[j]
            if src is not None:
                lane_of.pop(src, None)
            lanes[j] = None
            heapq.heappush(free, j)
        if consumers[node] > 0:
            while len(lanes) <= col:
                lanes.append(None)
                heapq.heappush(free, len(lanes) - 1)
            lanes[col] = node
            lane_of[node] = col
            bare_glyph = None
        else:
            bare_glyph = col
        while lanes and lanes[-1] is None:
            lanes.pop()
        rows.append(GraphRow(node, col, cells))
    return rows


def _pass_through(lanes: list[str | None]) -> str:
    cells = "".join(("│ " if lane is not None else "  ") for lane in lanes[:MAX_LANES])
    return cells + ("… " if len(lanes) > MAX_LANES else "")


def _draw(lanes: list[str | None], width: int, col: int, feeding: set[int], ending: set[int]) -> str:
    lo = min(feeding | {col})
    hi = max(feeding | {col})
    out: list[str] = []
    for j in range(min(width, MAX_LANES)):
        active = j < len(lanes) and lanes[j] is not None
        inside = lo < j < hi
        if j == col:
            ch = GLYPH
        elif j in feeding:
            side = "middle" if inside else ("left" if j < col else "right")
            ch = (ENDS if j in ending else JOINS)[side]
        elif active:
            ch = "│"  # crossed, not joined
        else:
            ch = "─" if inside else " "
        out.append(ch + ("─" if lo <= j < hi else " "))
    if width > MAX_LANES:
        out.append("…" + (GLYPH if col >= MAX_LANES else " "))
    return "".join(out)
