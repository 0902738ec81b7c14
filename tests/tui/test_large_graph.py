"""A generated 5,000-asset definitions file opens in the console and the graph scrolls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

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


async def test_five_thousand_assets_open_and_scroll(make_app: MakeApp, defs_file: Callable[[str], Path]) -> None:
    path = defs_file(big_definitions())
    app = make_app(path)
    started = time.monotonic()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetsScreen)
        graph = screen.graph
        await wait_until(pilot, lambda: len(graph.rows) == N, timeout=20, what="5,000 rows")
        opened = time.monotonic() - started
        assets = [i for i in graph.items if i.row is not None]
        assert len(assets) == N
        assert len(graph.items) == N + N // GROUP  # plus one header row per group
        assert graph.virtual_size.height == len(graph.items)
        assert any("┘" in (i.lanes.cells if i.lanes else "") for i in assets[:50])  # lanes are drawn
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
        key_started = time.monotonic()
        for _ in range(20):
            await pilot.press("pagedown")
        per_key = (time.monotonic() - key_started) / 20
        assert graph.cursor == 23 * page
        await pilot.press("G", "left")  # collapse the last group
        assert len(graph.items) == N + N // GROUP - GROUP
        await settle(pilot)
    assert opened < 15, opened
    assert per_key < 0.5, per_key
