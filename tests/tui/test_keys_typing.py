"""Typing and keys (issue 15, points 1, 3, 11, 12): the `:` and `/` lines show what is typed at
every size, complete names with Tab and keep a history; j/k/g/G/home/end move in every list;
filters show as a chip and escape clears them; help and the palette list the screen's own keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from tui_helpers import RUN_FAIL, RUN_OK, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.command_line import CommandLine
from dagdeck.tui.widgets.filter_input import FilterInput
from dagdeck.tui.widgets.prompt_line import PromptInput

MakeApp = Callable[..., DagdeckApp]
Snap = Callable[..., bool]
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


def screen_row(app: DagdeckApp, y: int) -> str:
    """The text painted on screen row `y`, as a user sees it."""
    return app.screen._compositor.render_strips()[y].text


def line_row(app: DagdeckApp, line: PromptInput) -> str:
    bar = line.parent
    assert bar is not None
    return screen_row(app, bar.region.y)


async def _assets(pilot: Pilot[Any]) -> AssetsScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AssetsScreen)
    await wait_until(pilot, lambda: bool(screen.graph.rows), what="the asset rows")
    return screen


async def _names_loaded(pilot: Pilot[Any], line: PromptInput) -> None:
    await settle(pilot)
    await wait_until(pilot, lambda: bool(line.names.assets), what="the completion names")


# -- point 1: the lines show what is typed, complete and remember ---------------------------------
@SIZES
async def test_command_line_shows_prompt_placeholder_and_typed_text(
    make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]
) -> None:
    app = make_app(shop)
    async with app.run_test(size=size) as pilot:
        await _assets(pilot)
        await pilot.press("colon")
        line = app.screen.query_one(CommandLine)
        assert line.has_focus and line.region.height == 1
        footer = app.screen.query_one(Footer)
        assert line.parent is not None and line.parent.region.bottom <= footer.region.y  # not under the footer
        shown = line_row(app, line)
        assert shown.startswith(" : ") and "runs  assets SEL" in shown, shown
        await pilot.press("r", "u", "n", "s", "space", "s", "t")
        shown = line_row(app, line)
        assert shown.startswith(" : runs st"), shown


@SIZES
async def test_filter_line_shows_prompt_and_typed_text(
    make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]
) -> None:
    app = make_app(shop)
    async with app.run_test(size=size) as pilot:
        screen = await _assets(pilot)
        await pilot.press("slash")
        box = screen.query_one(FilterInput)
        assert box.has_focus and box.region.height == 1
        assert line_row(app, box).startswith(" / filter: a, +a")
        await pilot.press("r", "e", "v")
        assert line_row(app, box).startswith(" / rev")


async def test_tab_completes_commands_and_names_cycling(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        await _assets(pilot)
        await pilot.press("colon")
        line = app.screen.query_one(CommandLine)
        await _names_loaded(pilot, line)
        await pilot.press("r", "u", "tab")
        assert line.value == "runs"
        await pilot.press("tab")  # again: the next verb that fits
        assert line.value == "run"
        assert "tab 2/2" in line_row(app, line)
        await pilot.press("tab")  # and round again
        assert line.value == "runs"
        await pilot.press("shift+tab")
        assert line.value == "run"
        await pilot.press("space", "0", "f", "tab")  # run ids, shortened to 8
        assert line.value == "run " + RUN_FAIL[:8]
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: getattr(app.screen, "run_id", None) == RUN_FAIL, what="the run opened")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("colon")
        line = app.screen.query_one(CommandLine)
        await _names_loaded(pilot, line)
        for typed, expected in (
            ("job s", "job shop_job"),
            ("assets group:o", "assets group:ops"),
            ("asset rev", "asset revenue"),
            ("runs status:f", "runs status:failed"),
        ):
            line.value = typed
            line.cursor_position = len(typed)
            await pilot.press("tab")
            assert line.value == expected
        line.value = "asset zzz"
        await pilot.press("end", "tab")
        assert line.value == "asset zzz" and "no completion" in line_row(app, line)

        await pilot.press("escape")
        await pilot.press("1")
        await settle(pilot)
        screen = app.screen
        await pilot.press("slash")
        box = screen.query_one(FilterInput)
        await _names_loaded(pilot, box)
        await pilot.press("plus", "r", "e", "v", "tab")  # the selection operator is kept
        assert box.value == "+revenue"
        await pilot.press("enter")
        await settle(pilot)
        assert [i.row.key for i in screen.graph.items if i.row] == ["orders", "revenue"]

        await pilot.press("2")
        await settle(pilot)
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        await pilot.press("slash")
        box = runs.query_one(FilterInput)
        await _names_loaded(pilot, box)
        await pilot.press("0", "a", "tab")
        assert box.value == RUN_OK[:8]
        box.value = "job:sh"
        await pilot.press("end", "tab")
        assert box.value == "job:shop_job"


async def test_command_job_selects_the_job(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        await _assets(pilot)
        await pilot.press("colon")
        app.screen.query_one(CommandLine).value = "job shop_job"
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await wait_until(pilot, lambda: screen.current is not None and screen.current.name == "shop_job", what="the job")


async def test_up_down_walk_the_history_per_line(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _assets(pilot)
        for command in ("runs", "assets"):
            await pilot.press("colon")
            app.screen.query_one(CommandLine).value = command
            await pilot.press("enter")
            await settle(pilot)
        assert app.screen is screen
        await pilot.press("slash", "r", "e", "v", "enter")  # a filter: history of its own
        await settle(pilot)

        await pilot.press("colon")
        line = app.screen.query_one(CommandLine)
        await pilot.press("h", "e")  # a draft, given back after walking down again
        await pilot.press("up")
        assert line.value == "assets"
        await pilot.press("up")
        assert line.value == "runs"
        await pilot.press("up")  # the oldest stays
        assert line.value == "runs"
        await pilot.press("down")
        assert line.value == "assets"
        await pilot.press("down")
        assert line.value == "he"
        await pilot.press("escape")

        await pilot.press("slash")
        box = screen.query_one(FilterInput)
        box.value = ""
        await pilot.press("up")
        assert box.value == "rev"


# -- snapshots: what the user sees while typing ---------------------------------------------------
def _typed(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _assets(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AssetsScreen)
        await wait_until(pilot, lambda: screen.graph.current_key is not None, what="the cursor")
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@SIZES
def test_snapshot_command_line_typed(snap_compare: Snap, make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_typed("colon", "r", "u", "tab", "tab"))


@SIZES
def test_snapshot_filter_line_typed(snap_compare: Snap, make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_typed("slash", "r", "e"))
