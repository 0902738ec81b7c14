"""Code reload: the watched definitions file breaks (banner with file and line, last good graph
stays) and is fixed (banner gone, the new asset appears)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tui_helpers import plain, settle, wait_until

from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.widgets.status_bar import LoadErrorBanner

MakeApp = Callable[..., DagdeckApp]

GOOD = """\
import dagdeck as dg


@dg.asset
def alpha():
    return 1


defs = dg.Definitions(assets=[alpha])
"""
BROKEN = """\
import dagdeck as dg


@dg.asset
def alpha(:
    return 1
"""
FIXED = GOOD.replace("defs = dg.Definitions(assets=[alpha])", """@dg.asset
def beta(alpha):
    return alpha + 1


defs = dg.Definitions(assets=[alpha, beta])""")


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path)  # a new mtime even when two writes land in the same clock tick


async def test_broken_file_shows_banner_keeps_last_good_graph_then_recovers(
    make_app: MakeApp, defs_file: Callable[[str], Path]
) -> None:
    path = defs_file(GOOD)
    app = make_app(path, watch_files=True, poll_seconds=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetsScreen)
        await wait_until(pilot, lambda: [r.key for r in screen.graph.rows] == ["alpha"], what="the graph")
        banner = screen.query_one(LoadErrorBanner)
        assert not banner.has_class("-shown")

        _write(path, BROKEN)
        await wait_until(pilot, lambda: banner.has_class("-shown"), timeout=60, what="the load-error banner")
        text = plain(banner.content)
        assert f"{path}:5:" in text and "syntax error" in text, text
        assert [r.key for r in screen.graph.rows] == ["alpha"]  # the last good definitions stay
        assert app.api.defs is not None
        await pilot.press("m")  # and stay usable
        await settle(pilot)
        assert app.screen.title_text == "Materialize 1 asset(s)?"
        await pilot.press("n")

        _write(path, FIXED)
        await wait_until(pilot, lambda: not banner.has_class("-shown"), timeout=60, what="the banner to hide")
        await wait_until(
            pilot, lambda: [r.key for r in screen.graph.rows] == ["alpha", "beta"], timeout=60, what="the new asset"
        )
        assert plain(banner.content) == ""
