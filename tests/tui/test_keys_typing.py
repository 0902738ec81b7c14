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
from tui_helpers import RUN_FAIL, RUN_OK, notes, settle, wait_until

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
        assert (
            line.parent is not None and line.parent.region.bottom <= footer.region.y
        )  # not under the footer
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


async def test_tab_completes_commands_and_names_cycling(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
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
        await wait_until(
            pilot, lambda: getattr(app.screen, "run_id", None) == RUN_FAIL, what="the run opened"
        )
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
        await wait_until(
            pilot, lambda: screen.current is not None and screen.current.name == "shop_job", what="the job"
        )


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
def test_snapshot_command_line_typed(
    snap_compare: Snap, make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]
) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_typed("colon", "r", "u", "tab", "tab"))


@SIZES
def test_snapshot_filter_line_typed(
    snap_compare: Snap, make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]
) -> None:
    app = make_app(shop)
    assert snap_compare(app, terminal_size=size, run_before=_typed("slash", "r", "e"))


# -- point 3: the list keys in every list and table ---------------------------------------------
async def _cursor_row(pilot: Pilot[Any], table: Any) -> int:
    await pilot.pause()
    return int(table.cursor_row if hasattr(table, "cursor_row") else table.highlighted)


async def test_jk_g_G_home_end_move_in_every_list(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        await _assets(pilot)
        await pilot.press("2")
        await settle(pilot)
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        table = runs.table
        await wait_until(pilot, lambda: table.row_count == 2, what="two runs")
        assert table.has_focus and await _cursor_row(pilot, table) == 0
        await pilot.press("j")
        assert await _cursor_row(pilot, table) == 1
        await pilot.press("k")
        assert await _cursor_row(pilot, table) == 0
        await pilot.press("G")
        assert await _cursor_row(pilot, table) == 1
        await pilot.press("g")
        assert await _cursor_row(pilot, table) == 0
        await pilot.press("end")
        assert await _cursor_row(pilot, table) == 1
        await pilot.press("home")
        assert await _cursor_row(pilot, table) == 0

        await pilot.press("enter")  # the run's steps: j/k/g move; G tails the log there, as in less
        await settle(pilot)
        run = app.screen
        steps = run.query_one("#steps-table")
        await wait_until(pilot, lambda: steps.row_count == 1, what="the steps")
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        run = app.screen
        steps = run.query_one("#steps-table")
        await wait_until(pilot, lambda: steps.row_count == 2, what="two steps")
        await pilot.press("j")
        assert await _cursor_row(pilot, steps) == 1
        await pilot.press("k")
        assert await _cursor_row(pilot, steps) == 0
        await pilot.press("f", "G")
        assert run.follow is True  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("3")  # the jobs list (one job: j stays, k stays)
        await settle(pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        options = jobs.query_one("#jobs-list")
        await wait_until(pilot, lambda: options.option_count == 1, what="the jobs")
        await pilot.press("j", "G", "g")
        assert options.highlighted == 0

        await pilot.press("question_mark")  # the help table too
        await settle(pilot)
        help_table = app.screen.query_one("#help-table")
        assert help_table.has_focus and await _cursor_row(pilot, help_table) == 0
        await pilot.press("j", "j")
        assert await _cursor_row(pilot, help_table) == 2
        await pilot.press("G")
        assert await _cursor_row(pilot, help_table) == help_table.row_count - 1
        await pilot.press("g")
        assert await _cursor_row(pilot, help_table) == 0


async def test_list_keys_in_the_automation_table(make_app: MakeApp, defs_file: Callable[..., Path]) -> None:
    file = defs_file(
        """
        import dagdeck as dg

        @dg.asset
        def a():
            return 1

        job = dg.define_asset_job("j", selection="a")
        defs = dg.Definitions(
            assets=[a],
            jobs=[job],
            schedules=[dg.ScheduleDefinition(name=f"s{n}", job=job, cron_schedule="0 * * * *") for n in range(3)],
        )
        """
    )
    app = make_app(file)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#automation-table")
        await wait_until(pilot, lambda: table.row_count == 3, what="three schedules")
        await pilot.press("j", "j")
        assert await _cursor_row(pilot, table) == 2
        await pilot.press("g")
        assert await _cursor_row(pilot, table) == 0
        await pilot.press("G")
        assert await _cursor_row(pilot, table) == 2
        await pilot.press("k")
        assert await _cursor_row(pilot, table) == 1


# -- point 12: help and palette come from the bindings ------------------------------------------
async def test_help_lists_the_current_screen_first(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await _assets(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        rows = app.screen.rows  # type: ignore[attr-defined]
        wheres = [r[0] for r in rows]
        assert wheres[0] == "runs" and wheres.index("everywhere") < wheres.index("assets")
        assert wheres.index("lists") < wheres.index("everywhere")
        ids = [r[3] for r in rows]
        table = app.screen.query_one("#help-table")
        shown = [str(table.get_row_at(n)[2]) for n in range(table.row_count)]
        assert shown == ids  # every id whole (no id cut into a duplicate of another)
        assert len(set(ids)) == len(ids)
        id_column = table.ordered_columns[2]
        assert id_column.content_width >= max(len(i) for i in ids)
        await pilot.press("escape")
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert [r[0] for r in app.screen.rows][:2] == ["assets", "assets"]  # type: ignore[attr-defined]


async def test_palette_holds_the_screens_binding_actions(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _assets(pilot)
        titles = {c.title: c for c in app.get_system_commands(screen)}
        for title in (
            "Materialize selected",
            "Materialize with downstream",
            "Materialize stale and missing",
            "Filter assets",
            "Jump/expand",
            "Mark",
            "Go to runs",
            "Help: key bindings",
        ):
            assert title in titles, title
        assert "Cancel run" not in titles  # another screen's action
        assert titles["Filter assets"].help == "key / · assets · assets.filter"
        await pilot.press("2")
        await settle(pilot)
        runs = app.screen
        titles = {c.title: c for c in app.get_system_commands(runs)}
        assert {"Filter runs", "Cancel run", "Older", "Newer", "Open"} <= set(titles)
        assert "Materialize selected" not in titles
        app.call_later(titles["Filter runs"].callback)  # as the palette runs it: the binding's action
        await settle(pilot)
        assert runs.query_one(FilterInput).has_focus


async def test_palette_leaves_out_what_readonly_refuses(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop, readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _assets(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        assert "Filter assets" in titles and "Materialize selected" not in titles


# -- point 11: filters visible and cleared; keys that cannot act say why --------------------------
async def test_assets_filter_shows_a_chip_and_escape_clears_it(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _assets(pilot)
        graph = screen.graph
        assert not graph.border_title
        await pilot.press("slash", "r", "e", "v", "enter")
        await settle(pilot)
        assert graph.has_focus and screen.filter_text == "rev"
        assert "/ rev" in str(graph.border_title)
        assert "/ rev" in screen_row(app, graph.region.y)  # drawn on screen, not only set
        await pilot.press("space")  # a mark: escape clears the marks first, then the filter
        assert graph.marked
        await pilot.press("escape")
        assert not graph.marked and screen.filter_text == "rev"
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filter_text == "" and not graph.border_title
        assert len([i for i in graph.items if i.row]) == 3


async def test_runs_escape_clears_a_kept_filter(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        await _assets(pilot)
        await pilot.press("2")
        await settle(pilot)
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        await pilot.press("slash")
        runs.query_one(FilterInput).value = "status:failed"
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: runs.table.row_count == 1, what="the filtered runs")
        assert runs.table.has_focus and "filter: status:failed" in str(runs.table.border_title)
        await pilot.press("escape")
        await settle(pilot)
        await wait_until(pilot, lambda: runs.table.row_count == 2, what="the filter cleared")
        assert runs.filter_text == "" and "filter" not in str(runs.table.border_title)


async def test_keys_that_cannot_act_say_why(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop, readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _assets(pilot)
        await wait_until(pilot, lambda: screen.graph.current_key == "orders", what="the cursor")
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen
        assert any("Materialize: not in a read-only console" in n for n, _ in notes(app))
        await pilot.press("2")
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.table.row_count == 2, what="the runs")
        await pilot.press("c")
        await settle(pilot)
        assert any(n.startswith("Cancel: not in a read-only console") for n, _ in notes(app))
        app.clear_notifications()
        await pilot.press("q")  # a top-level screen: q does not quit, it says what does
        await settle(pilot)
        assert app.is_running and any("ctrl+q or :q quits" in n for n, _ in notes(app))


async def test_m_on_a_group_header_says_why(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _assets(pilot)
        await pilot.press("g")  # the first row: the group header [shop]
        assert screen.graph.current_item is not None and screen.graph.current_item.kind == "group"
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen
        assert any("group shop's header" in n for n, _ in notes(app))


async def test_palette_has_no_action_the_screen_overrides(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _assets(pilot)
        helps = [c.help for c in app.get_system_commands(screen)]
        assert not any("screen.clear_filter" in h for h in helps)  # escape is the assets screen's own
        assert any("assets.clear" in h for h in helps)
