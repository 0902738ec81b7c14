"""SVG snapshots of each screen at 100x30 and 80x24, on a store seeded with fixed timestamps and a
frozen console clock (see conftest), so no wall time ever reaches a snapshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Log
from tui_helpers import RUN_OK, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.widgets.asset_detail import AssetDetailPane
from dagdeck.tui.widgets.dialogs import ConfirmScreen, HelpScreen

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
Snap = Callable[..., bool]


def _assets_ready(pilot: Pilot[Any]) -> bool:
    screen = pilot.app.screen
    if not hasattr(screen, "graph"):
        return False
    graph = screen.graph
    pane = screen.query_one(AssetDetailPane)
    return bool(graph.rows) and pane.shown_key is not None and pane.shown_key == graph.current_key


def _prepare(*keys: str, until: Callable[[Pilot[Any]], Any] | None = None) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        # the app opens on the assets screen: let it finish loading, it may show behind a dialog
        await wait_until(pilot, lambda: _assets_ready(pilot), what="the assets screen")
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if until is not None:
            await wait_until(pilot, lambda: until(pilot), what="the screen to fill")
        await settle(pilot)

    return run_before


@SIZES
def test_assets_screen(snap_compare: Snap, make_app: Callable[..., DagdeckApp], seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_prepare(until=_assets_ready))


@SIZES
def test_assets_screen_never_materialized(
    snap_compare: Snap, make_app: Callable[..., DagdeckApp], shop: Path, size: tuple[int, int]
) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_prepare(until=_assets_ready))


@SIZES
def test_runs_screen(snap_compare: Snap, make_app: Callable[..., DagdeckApp], seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_prepare("2", until=lambda p: p.app.screen.table.row_count == 2))


def _run_screen_filled(pilot: Pilot[Any]) -> bool:
    screen = pilot.app.screen
    if not isinstance(screen, RunScreen) or not screen.is_mounted or not screen.query(Log):
        return False
    return screen.query_one(Log).line_count > 0 and screen.table.row_count == 2


@SIZES
def test_run_screen(snap_compare: Snap, make_app: Callable[..., DagdeckApp], seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.open_run(RUN_OK)
        await wait_until(pilot, lambda: _run_screen_filled(pilot), what="the run screen")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_jobs_screen(snap_compare: Snap, make_app: Callable[..., DagdeckApp], seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_prepare("3", until=lambda p: getattr(p.app.screen, "jobs", None)))


@SIZES
def test_help_screen(snap_compare: Snap, make_app: Callable[..., DagdeckApp], shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)
    assert snap_compare(
        app, terminal_size=size, run_before=_prepare("question_mark", until=lambda p: isinstance(p.app.screen, HelpScreen))
    )


@SIZES
def test_confirm_dialog(snap_compare: Snap, make_app: Callable[..., DagdeckApp], seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await wait_until(pilot, lambda: _assets_ready(pilot), what="the graph")
        await pilot.press("space", "M")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="the confirm dialog")
        assets = pilot.app.screen_stack[-2]
        await wait_until(
            pilot,
            lambda: assets.query_one(AssetDetailPane).shown_key == assets.graph.current_key,
            what="the details behind the dialog",
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
