"""A generated 5,000-asset definitions file opens in the console and the graph scrolls, paging
without touching the rows off screen. How fast is bench/console.py's business (the same 5,000-asset
graph: open to first frame, key to frame); the timeouts here only stop a hang."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.strip import Strip
from tui_helpers import settle, wait_until

from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen

MakeApp = Callable[..., DagdeckApp]
N = 5000
GROUP = 500


def big_definitions(n: int = N) -> str:
    """Ten groups of 500 assets; each asset reads the previous one, every third also one 7 back,
    so the graph has several lanes."""
    lines = ["import dagdeck as dg", ""]
    for i in range(n):
        deps = [f"a{i - 1:04d}"] if i % GROUP else []
        if i % GROUP >= 7 and i % 3 == 0:
            deps.append(f"a{i - 7:04d}")
        lines += [f'@dg.asset(group_name="g{i // GROUP:02d}", deps=[{", ".join(deps)}])', f"def a{i:04d}():", "    return None", ""]
    lines.append("defs = dg.Definitions(assets=[" + ", ".join(f"a{i:04d}" for i in range(n)) + "])")
    return "\n".join(lines) + "\n"


async def test_five_thousand_assets_open_and_scroll(
    make_app: MakeApp, defs_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = defs_file(big_definitions())
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetsScreen)
        graph = screen.graph
        await wait_until(pilot, lambda: len(graph.rows) == N, timeout=120, what="5,000 rows")
        assets = [i for i in graph.items if i.row is not None]
        assert len(assets) == N
        assert len(graph.items) == N + N // GROUP  # plus one header row per group
        assert graph.virtual_size.height == len(graph.items)
        assert any("┤" in (i.lanes.cells if i.lanes else "") for i in assets[:50])  # lanes are drawn
        assert graph.current_key == "a0000"

        await pilot.press("end")
        await settle(pilot)
        assert graph.current_key == f"a{N - 1:04d}"
        assert graph.scroll_offset.y >= len(graph.items) - graph.size.height
        await pilot.press("home", "pagedown")
        await settle(pilot)
        page = graph.cursor
        assert page >= graph.size.height - 2
        await pilot.press("pagedown", "pagedown", "j", "k")
        assert graph.cursor == 3 * page
        assert graph.scroll_offset.y > 0

        # paging costs the rows on screen, not the graph: no rebuild, and only visible rows drawn
        rebuilds: list[Any] = []
        drawn: list[int] = []
        real_rebuild, real_draw = graph._rebuild, graph._render_item

        def counting_rebuild(*args: Any) -> None:
            rebuilds.append(args)
            real_rebuild(*args)

        def counting_draw(*args: Any) -> Strip:
            drawn.append(1)
            return real_draw(*args)

        monkeypatch.setattr(graph, "_rebuild", counting_rebuild)
        monkeypatch.setattr(graph, "_render_item", counting_draw)
        for _ in range(20):
            await pilot.press("pagedown")
            await settle(pilot)
        assert graph.cursor == 23 * page
        assert rebuilds == []
        # each page draws the screenful it shows (cached rows are not drawn again); two screenfuls a
        # key is ample, and far from the 5,500 rows a key would cost if paging touched them all
        assert 0 < len(drawn) <= 20 * 2 * graph.size.height, (len(drawn), graph.size.height)
        monkeypatch.undo()
        await pilot.press("G", "left")  # collapse the last group
        assert len(graph.items) == N + N // GROUP - GROUP
        await settle(pilot)
