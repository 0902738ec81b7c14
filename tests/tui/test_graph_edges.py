"""The asset graph draws exactly the graph's edges (issue 15 point 8): read the lanes back from the
drawn rows and compare with the edges of random DAGs, with groups expanded, collapsed (a collapsed
group stands for its assets) and filtered; no edge broken at a group header, no lane that suggests
an edge that is not there."""

from __future__ import annotations

import random
from collections.abc import Iterable

from textual.app import App, ComposeResult

from dagdeck.core.console_api import AssetRow
from dagdeck.tui.widgets.asset_graph import AssetGraph, group_runs
from dagdeck.tui.widgets.graph_layout import GLYPH, layout

UP = set("│└┘┴├┤┼")
"""Cells with an arm going up: they continue a lane from the row above."""
ENDS, JOINS = set("└┘┴"), set("├┤┼")


def drawn_edges(rows: Iterable[tuple[str | None, str]]) -> set[tuple[str, str]]:
    """(upstream, node) for every edge the cells draw; `rows` are (node, cells), node None on a
    header row. Fails on a lane that starts from nowhere, breaks, or joins nothing."""
    lanes: dict[int, str] = {}
    fresh: set[int] = set()
    """Lanes opened by the previous row's glyph: they may stop at once (a node nobody reads)."""
    edges: set[tuple[str, str]] = set()
    for node, cells in rows:
        assert "…" not in cells, "more lanes than drawn"
        chars, fills = cells[0::2], cells[1::2]
        if node is None:
            for j in sorted(lanes):
                if j < len(chars) and chars[j] == "│":
                    continue
                assert j in fresh, f"the lane of {lanes[j]} breaks at a header row"
                del lanes[j]
            assert all(ch in "│ " for ch in chars), cells
            fresh = set()
            continue
        assert chars.count(GLYPH) == 1, (node, cells)
        col = chars.index(GLYPH)
        for j, ch in enumerate(chars):
            src = lanes.get(j)
            if j == col:
                if src is not None:  # a lane coming down into the glyph
                    edges.add((src, node))
                    del lanes[j]
                continue
            if ch not in UP:
                if src is not None:
                    assert j in fresh, f"the lane of {src} breaks at {node}: {cells!r}"
                    del lanes[j]
                continue
            assert src is not None, f"a lane from nowhere at {node}, lane {j}: {cells!r}"
            if ch in ENDS | JOINS:
                lo, hi = sorted((j, col))
                assert all(f == "─" for f in fills[lo:hi]), f"{src} does not reach {node}: {cells!r}"
                assert all(c in "─│┼┴" for c in chars[lo + 1 : hi] if c != GLYPH), cells
                if ch in "└├":
                    assert j < col, cells
                if ch in "┘┤":
                    assert j > col, cells
                edges.add((src, node))
                if ch in ENDS:
                    del lanes[j]
        for j in [j for j in lanes if j >= len(chars)]:
            assert j in fresh, f"the lane of {lanes[j]} breaks at {node}"
            del lanes[j]
        lanes[col] = node
        fresh = {col}
    return edges


def random_dag(rng: random.Random, n: int, groups: int) -> list[AssetRow]:
    """`n` assets in dependency order, each reading up to three earlier ones, in random groups."""
    keys = [f"a{i:02d}" for i in range(n)]
    ups: dict[str, tuple[str, ...]] = {}
    for i, k in enumerate(keys):
        count = rng.choice([0, 1, 1, 1, 2, 2, 3]) if i else 0
        ups[k] = tuple(sorted(set(rng.sample(keys[:i], min(count, i)))))
    downs = {k: tuple(d for d in keys if k in ups[d]) for k in keys}
    return [
        AssetRow(k, f"g{rng.randrange(groups)}", ups[k], downs[k], "materialized", False, None) for k in keys
    ]


def test_layout_alone_draws_every_edge_of_random_dags() -> None:
    rng = random.Random(15)
    for _ in range(300):
        rows = random_dag(rng, rng.randint(1, 40), 1)
        order = [r.key for r in rows]
        ups = {r.key: r.upstream for r in rows}
        drawn = drawn_edges((g.node, g.cells) for g in layout(order, ups))
        assert drawn == {(u, r.key) for r in rows for u in r.upstream}


def test_group_runs_keep_every_edge_pointing_down() -> None:
    rng = random.Random(8)
    for _ in range(200):
        rows = random_dag(rng, rng.randint(1, 40), rng.randint(1, 5))
        runs = group_runs(rows)
        flat = [r.key for run in runs for r in run]
        assert sorted(flat) == sorted(r.key for r in rows)
        where = {k: n for n, k in enumerate(flat)}
        assert all(where[u] < where[r.key] for r in rows for u in r.upstream)
        assert all(len({r.group for r in run}) == 1 for run in runs)
        assert all(a[0].group != b[0].group for a, b in zip(runs, runs[1:], strict=False))


class GraphApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AssetGraph(id="asset-graph")


def _expected(graph: AssetGraph) -> set[tuple[str, str]]:
    """The graph's edges among the shown assets, a collapsed group's run standing for its assets."""
    rows = [r for r in graph.rows if graph.filter_keys is None or r.key in graph.filter_keys]
    runs = group_runs(rows)
    grouped = len({r.group for r in rows}) > 1
    stand: dict[str, str] = {}
    for n, run in enumerate(runs):
        for r in run:
            stand[r.key] = f"\0group {n}" if grouped and r.group in graph.collapsed else r.key
    return {
        (stand[u], stand[r.key]) for r in rows for u in r.upstream if u in stand and stand[u] != stand[r.key]
    }


def _drawn(graph: AssetGraph) -> set[tuple[str, str]]:
    rows: list[tuple[str | None, str]] = []
    for item in graph.items:
        assert item.lanes is not None
        if item.row is not None:
            rows.append((item.row.key, item.lanes.cells))
        elif item.lanes.column >= 0:  # a collapsed group: a node
            rows.append((item.lanes.node, item.lanes.cells))
        else:
            rows.append((None, item.lanes.cells))
    return drawn_edges(rows)


async def test_the_graph_widget_draws_exactly_the_edges_across_groups() -> None:
    rng = random.Random(2026)
    app = GraphApp()
    async with app.run_test(size=(120, 40)) as pilot:
        graph = app.query_one(AssetGraph)
        for _ in range(150):
            rows = random_dag(rng, rng.randint(2, 36), rng.randint(1, 4))
            graph.collapsed = {g for g in {r.group for r in rows} if rng.random() < 0.3}
            graph.filter_keys = {r.key for r in rows if rng.random() < 0.8} if rng.random() < 0.3 else None
            graph.set_rows(rows)
            assert _drawn(graph) == _expected(graph)

        # by keys: collapse the group under the cursor and expand it again
        rows = random_dag(random.Random(3), 30, 3)
        graph.collapsed, graph.filter_keys = set(), None
        graph.set_rows(rows)
        graph.focus()
        await pilot.press("home", "j", "j")
        group = graph.current_item.group
        await pilot.press("h")
        assert group in graph.collapsed and graph.current_item.kind == "group"
        assert _drawn(graph) == _expected(graph)
        await pilot.press("l")
        assert group not in graph.collapsed
        assert _drawn(graph) == _expected(graph) == {(u, r.key) for r in rows for u in r.upstream}
        # the drawn line carries the cells, the status glyph in the placeholder's cell
        item = next(i for i in graph.items if i.row is not None and i.row.upstream)
        text = graph._render_item(item, False, False, 200).text
        assert item.lanes is not None and text[2:].startswith(item.lanes.cells.replace(GLYPH, "●"))
