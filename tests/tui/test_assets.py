"""Assets screen: graph cursor keys, groups, marks, `/` filter, jump, and materialize from the
keyboard through the confirm dialog to a real worker run that ends SUCCESS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import notes, plain, run_status, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen, JumpScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.dialogs import ConfirmScreen
from dagdeck.tui.widgets.filter_input import FilterInput

MakeApp = Callable[..., DagdeckApp]
SIZE = (100, 30)


def _screen(app: DagdeckApp) -> AssetsScreen:
    assert isinstance(app.screen, AssetsScreen), app.screen
    return app.screen


def _keys(screen: AssetsScreen) -> list[str]:
    return [i.row.key if i.row else f"[{i.group}]" for i in screen.graph.items]


async def _ready(pilot) -> AssetsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await wait_until(pilot, lambda: pilot.app.screen.graph.current_key == "orders", what="the graph")
    return _screen(pilot.app)


def _detail(screen: AssetsScreen) -> str:
    return plain(screen.query_one("#asset-detail-body").content)


async def test_cursor_keys_move_through_the_graph_and_the_detail_follows(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        graph = screen.graph
        assert _keys(screen) == ["[shop]", "orders", "revenue", "[ops]", "report"]
        assert graph.has_focus and graph.cursor == 1
        assert "orders" in _detail(screen) and "Raw orders." in _detail(screen)
        assert "rows" in _detail(screen) and "/data/orders.csv" in _detail(screen)
        for key, cursor in (("j", 2), ("k", 1), ("down", 2), ("down", 3), ("up", 2), ("end", 4), ("home", 0),
                            ("G", 4), ("g", 0), ("k", 0), ("pagedown", 4), ("pageup", 0)):
            await pilot.press(key)
            assert graph.cursor == cursor, key
        await pilot.press("j", "j")
        await settle(pilot)
        assert graph.current_key == "revenue"
        await wait_until(pilot, lambda: "revenue" in _detail(screen).splitlines()[0], what="the detail pane")
        assert "upstream:   orders" in _detail(screen)
        await pilot.press("end")
        await settle(pilot)
        await wait_until(pilot, lambda: "latest attempt failed" in _detail(screen), what="the failed asset")


async def test_groups_collapse_and_expand(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        graph = screen.graph
        await pilot.press("left")  # on an asset: collapses its group, cursor to the group row
        assert graph.collapsed == {"shop"}
        assert _keys(screen) == ["[shop]", "[ops]", "report"]
        assert graph.cursor == 0 and graph.current_key is None
        await pilot.press("right")
        assert graph.collapsed == set() and len(graph.items) == 5
        await pilot.press("h")
        assert graph.collapsed == {"shop"}
        await pilot.press("l")
        assert graph.collapsed == set()
        await pilot.press("enter")  # enter on a group row toggles it
        assert graph.collapsed == {"shop"}
        await pilot.press("enter")
        assert graph.collapsed == set()
        await pilot.press("end", "h")
        assert graph.collapsed == {"ops"} and _keys(screen) == ["[shop]", "orders", "revenue", "[ops]"]
        # selecting an asset of a collapsed group opens it
        screen.select_asset("report")
        assert graph.collapsed == set() and graph.current_key == "report"


async def test_enter_on_an_asset_jumps_upstream_or_downstream(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await pilot.press("j", "enter")  # revenue: up orders, down report
        await settle(pilot)
        assert isinstance(app.screen, JumpScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.graph.current_key == "report"
        await pilot.press("enter", "escape")
        await settle(pilot)
        assert app.screen is screen and screen.graph.current_key == "report"


async def test_space_marks_and_escape_clears(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        graph = screen.graph
        await pilot.press("space")
        assert graph.marked == {"orders"} and graph.current_key == "revenue"
        await pilot.press("j", "space")  # the group row of ops: nothing to mark
        assert graph.marked == {"orders"} and graph.cursor == 3
        await pilot.press("j", "space")
        assert graph.marked == {"orders", "report"}
        await pilot.press("home", "j", "space")  # space again unmarks
        assert graph.marked == {"report"}
        await pilot.press("escape")
        assert graph.marked == set()


async def test_filter_narrows_enter_keeps_escape_clears(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        graph = screen.graph
        box = screen.query_one(FilterInput)
        await pilot.press("end", "slash")
        assert box.has_class("-shown") and box.has_focus
        await pilot.press("r", "e")  # free text: every key or group containing "re"
        assert _keys(screen) == ["[shop]", "revenue", "[ops]", "report"]
        await pilot.press("v")
        assert _keys(screen) == ["revenue"]
        await pilot.press("enter")
        await settle(pilot)
        assert not box.has_class("-shown") and graph.has_focus
        assert screen.filter_text == "rev" and graph.current_key == "revenue"
        assert _keys(screen) == ["revenue"]

        await pilot.press("slash")  # reopens with the kept text
        assert box.value == "rev"
        box.value = "+report"  # selection syntax: report and its parents
        await settle(pilot)
        assert _keys(screen) == ["[shop]", "revenue", "[ops]", "report"]
        await pilot.press("escape")
        await settle(pilot)
        assert not box.has_class("-shown") and screen.filter_text == ""
        assert len(graph.items) == 5 and graph.has_focus

        await pilot.press("slash", "n", "o", "p", "e", "enter")
        assert graph.items == [] and graph.current_key is None
        await pilot.press("m")  # nothing selected: nothing to confirm
        await settle(pilot)
        assert app.screen is screen


async def test_materialize_confirm_refused_with_n_or_escape(make_app: MakeApp, instance: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot)
        for refuse in ("n", "escape"):
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press(refuse)
            await settle(pilot)
            assert isinstance(app.screen, AssetsScreen)
    assert instance.store.list_runs() == []


async def test_M_includes_downstream_and_marks_pick_assets(make_app: MakeApp, instance: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await pilot.press("M")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.title_text == "Materialize 3 asset(s)?"
        assert dialog.body.split() == ["orders", "revenue", "report"]
        await pilot.press("n")
        await settle(pilot)

        await pilot.press("end", "space", "home", "j", "space")  # mark report, then orders
        assert screen.graph.marked == {"orders", "report"}
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.body.split() == ["orders", "report"]  # marked, in graph order
        await pilot.press("escape")
        await settle(pilot)
    assert instance.store.list_runs() == []


async def test_m_then_y_runs_in_a_worker_to_success_and_shows_on_runs(make_app: MakeApp, instance: Instance, shop: Path) -> None:
    app = make_app(shop, poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await pilot.press("space", "m")  # mark orders, confirm lists orders
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.body.split() == ["orders"]
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        runs = await wait_until(pilot, instance.store.list_runs, what="a run")
        run = runs[0]
        assert run.trigger == "console" and run.plan["assets"] == ["orders"]
        assert run.pid is not None  # a worker process, not the console, executes it
        await wait_until(pilot, lambda: run_status(instance, run.run_id) == "SUCCESS", timeout=30, what="SUCCESS")
        assert screen.graph.marked == set()
        assert any(m.startswith(f"run {run.run_id[:8]}") for m, _ in notes(app))
        await wait_until(
            pilot,
            lambda: next(r for r in screen.graph.rows if r.key == "orders").status == "materialized",
            what="the graph to show orders materialized",
        )
        await pilot.press("2")
        await settle(pilot)
        runs_screen = app.screen
        assert isinstance(runs_screen, RunsScreen)
        await wait_until(pilot, lambda: runs_screen.selected_run_id == run.run_id, what="the run in the table")
        assert str(runs_screen.table.get_cell(run.run_id, "status")) == "✔ SUCCESS"
