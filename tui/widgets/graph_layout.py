"""Lay out a DAG as rows with edge lanes, git-log-graph style, one row per node.

Rows come in topological order. A lane carries an upstream node's output down the screen until
its last consumer; each row draws its node on a lane and the lanes that merge into it.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_LANES = 16


@dataclass(frozen=True)
class GraphRow:
    node: str
    column: int
    cells: str
    """Two characters per lane; the node's own cell holds a placeholder `@` for the status glyph."""


def layout(order: Sequence[str], upstream: Mapping[str, Sequence[str]]) -> list[GraphRow]:
    """Lanes for `order`; edges whose source is not (yet) shown are ignored. Linear in rows and
    edges: open lanes are found through `lane_of`, free ones come from a heap."""
    position = {n: i for i, n in enumerate(order)}
    consumers: dict[str, int] = {n: 0 for n in order}
    for n in order:
        for u in upstream.get(n, ()):
            if u in position and position[u] < position[n]:
                consumers[u] += 1
    lanes: list[str | None] = []
    lane_of: dict[str, int] = {}
    free: list[int] = []  # heap of indices < len(lanes) whose lane is empty
    rows: list[GraphRow] = []

    def first_free() -> int:
        """Lowest empty lane (stale heap entries are dropped lazily), else a new one."""
        while free and (free[0] >= len(lanes) or lanes[free[0]] is not None):
            heapq.heappop(free)
        return free[0] if free else len(lanes)

    for node in order:
        ups = [u for u in upstream.get(node, ()) if u in lane_of]
        feeding = sorted(lane_of[u] for u in ups)
        col = feeding[0] if feeding else first_free()
        ending = set()
        for j in feeding:
            src = lanes[j]
            assert src is not None
            consumers[src] -= 1
            if consumers[src] == 0:
                ending.add(j)
        out_col: int | None = None
        if consumers[node] > 0:
            if col in ending or col >= len(lanes) or lanes[col] is None:
                out_col = col
            else:
                out_col = first_free()
        width = max(len(lanes), col + 1, (out_col or 0) + 1)
        cells = _draw(lanes, width, col, set(feeding), ending, out_col)
        for j in ending:
            src = lanes[j]
            if src is not None:
                lane_of.pop(src, None)
            lanes[j] = None
            heapq.heappush(free, j)
        if out_col is not None:
            while len(lanes) <= out_col:
                lanes.append(None)
                heapq.heappush(free, len(lanes) - 1)
            lanes[out_col] = node
            lane_of[node] = out_col
        while lanes and lanes[-1] is None:
            lanes.pop()
        rows.append(GraphRow(node, col, cells))
    return rows


def _draw(
    lanes: list[str | None], width: int, col: int, feeding: set[int], ending: set[int], out_col: int | None
) -> str:
    touched = set(feeding) | ({out_col} if out_col is not None else set())
    lo = min(touched | {col})
    hi = max(touched | {col})
    out: list[str] = []
    for j in range(min(width, MAX_LANES)):
        active = j < len(lanes) and lanes[j] is not None
        horizontal = lo <= j <= hi
        if j == col:
            ch = "@"
        elif j in feeding:
            if j in ending:
                ch = "┘" if j > col else "└"
            else:
                ch = "┤" if j > col else "├"
        elif j == out_col:
            ch = "┐" if j > col else "┌"
        elif active:
            ch = "┼" if horizontal and lo < j < hi else "│"
        else:
            ch = "─" if horizontal and lo < j < hi else " "
        fill = "─" if lo <= j < hi else " "
        out.append(ch + fill)
    if width > MAX_LANES:
        out.append("… ")
    return "".join(out)
