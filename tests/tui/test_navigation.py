"""App shell: screen switching, `:` command mode, help with binding ids, the command palette,
remapped keys and read-only mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.binding import Binding
from textual.command import CommandPalette
from tui_helpers import RUN_FAIL, RUN_OK, notes, settle, wait_until, write_settings

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen, JumpScreen
from dagdeck.tui.screens.automation import AutomationScreen
from dagdeck.tui.screens.base import BaseScreen
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.screens.metadata_history import MetadataHistoryScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.asset_graph import AssetGraph
from dagdeck.tui.widgets.command_line import CommandLine
from dagdeck.tui.widgets.dialogs import CancelingScreen, ConfigEditor, ConfirmScreen, HelpScreen
from dagdeck.tui.widgets.error_view import ErrorScreen
from dagdeck.tui.widgets.filter_input import FilterInput
from dagdeck.tui.widgets.materialize_confirm import MaterializeConfirm

MakeApp = Callable[..., DagdeckApp]
SIZE = (100, 30)


async def test_number_keys_switch_screens(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AssetsScreen)
        for key, mode, cls in (
            ("2", "runs", RunsScreen),
            ("3", "jobs", JobsScreen),
            ("4", "automation", AutomationScreen),
            ("1", "assets", AssetsScreen),
            ("3", "jobs", JobsScreen),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            assert isinstance(app.screen, cls)


async def _command(pilot, text: str, type_it: bool = False) -> None:  # type: ignore[no-untyped-def]
    """`:` then the command, then enter. Typing costs ~70 ms a key in the pilot, so only some
    commands are typed key by key; the others are pasted into the focused command line."""
    await pilot.press("colon")
    await settle(pilot)
    line = pilot.app.screen.query_one(CommandLine)
    assert line.has_class("-shown") and line.has_focus
    if type_it:
        await pilot.press(*text)
    else:
        line.insert_text_at_cursor(text)
    await pilot.press("enter")
    await settle(pilot)
    assert not line.has_class("-shown")


async def test_command_mode(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _command(pilot, "runs", type_it=True)
        assert isinstance(app.screen, RunsScreen)
        await wait_until(pilot, lambda: app.screen.table.row_count == 2, what="two runs")

        await _command(pilot, "assets group:shop")
        assert isinstance(app.screen, AssetsScreen)
        graph = app.screen.graph
        await wait_until(pilot, lambda: graph.filter_keys == {"orders", "revenue"}, what="the group filter")
        assert [i.row.key for i in graph.items if i.row] == ["orders", "revenue"]

        await _command(pilot, "run 0f0f", type_it=True)
        assert isinstance(app.screen, RunScreen)
        assert app.screen.run_id == RUN_FAIL
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, RunsScreen)

        await _command(pilot, ":run " + RUN_OK)  # a leading colon is fine too
        assert isinstance(app.screen, RunScreen) and app.screen.run_id == RUN_OK
        await pilot.press("escape")
        await settle(pilot)

        await _command(pilot, "runs status:failed")
        await wait_until(pilot, lambda: app.screen.table.row_count == 1, what="the status filter")
        assert app.screen.filter_text == "status:failed"

        await _command(pilot, "frobnicate now")
        assert ("unknown command :frobnicate", "warning") in notes(app)
        await _command(pilot, "run feedbeef")
        assert ("no run feedbeef", "warning") in notes(app)
        assert isinstance(app.screen, RunsScreen)

        await _command(pilot, "help")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)

        # escape closes the command line without running anything
        await pilot.press("colon", "j", "o", "b", "s", "escape")
        await settle(pilot)
        assert isinstance(app.screen, RunsScreen)
        assert not app.screen.query_one(CommandLine).has_class("-shown")

        await _command(pilot, "q")
    assert app.return_code == 0


def _all_bindings() -> dict[str, list[Binding]]:
    classes = {
        "app": DagdeckApp,
        "base": BaseScreen,
        "assets": AssetsScreen,
        "graph": AssetGraph,
        "runs": RunsScreen,
        "run": RunScreen,
        "jobs": JobsScreen,
        "automation": AutomationScreen,
        "confirm": ConfirmScreen,
        "help": HelpScreen,
        "config": ConfigEditor,
        "jump": JumpScreen,
        "filter": FilterInput,
        "command": CommandLine,
        "error": ErrorScreen,
        "canceling": CancelingScreen,
        "materialize_confirm": MaterializeConfirm,
        "history": MetadataHistoryScreen,
    }
    return {name: [b for b in cls.BINDINGS if isinstance(b, Binding)] for name, cls in classes.items()}


def test_every_binding_has_a_unique_id() -> None:
    ids: dict[str, str] = {}
    for name, bindings in _all_bindings().items():
        for b in bindings:
            assert b.id, f"{name}: binding {b.key} -> {b.action} has no id"
            assert ids.setdefault(b.id, b.action) == b.action, f"id {b.id} used twice"


async def test_help_lists_every_screen_binding_with_its_id(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = {row[3]: row for row in app.screen.rows}
        bindings = _all_bindings()
        for name in (
            "app", "base", "assets", "graph", "runs", "run", "jobs", "automation", "confirm",
            "error", "canceling", "materialize_confirm", "history",
        ):  # fmt: skip
            for b in bindings[name]:
                assert b.id in listed, f"help misses {b.id}"
                assert listed[b.id][1] == (b.key_display or b.key)
        assert listed["assets.materialize"][2] == "Materialize"
        await pilot.press("question_mark")  # ? toggles help off again
        await settle(pilot)
        assert isinstance(app.screen, AssetsScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, AssetsScreen)


async def test_command_palette_lists_actions(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Go to assets", "Go to runs", "Go to jobs", "Reload definitions", "Help: key bindings",
                      "Materialize selected", "Materialize with downstream"):
            assert title in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Go to runs")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: app.current_mode == "runs", what="the palette to switch screens")


async def test_ctrl_q_quits_from_any_screen(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "question_mark")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_keymap_in_settings_remaps_a_binding_by_id(make_app: MakeApp, shop: Path, home: Path) -> None:
    write_settings(home)
    (home / "dagdeck.toml").write_text('[keymap]\n"assets.materialize" = "x"\n')
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.graph.current_key == "orders", what="the graph")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("m")  # the old key no longer materializes
        await settle(pilot)
        assert isinstance(app.screen, AssetsScreen)


async def test_readonly_disables_launch_cancel_and_reexecute(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "readonly" in app.status_text.plain
        await wait_until(pilot, lambda: app.screen.graph.current_key == "orders", what="the graph")
        for key in ("m", "M", "S"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, AssetsScreen), key
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Materialize selected" not in titles

        await pilot.press("3")
        await wait_until(pilot, lambda: app.screen.jobs, what="the jobs")
        for key in ("l", "L"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, JobsScreen), key

        await pilot.press("2")
        await wait_until(pilot, lambda: app.screen.table.row_count == 2, what="the runs")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, RunsScreen)

        app.open_run(RUN_FAIL)
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run, what="the run")
        for key in ("c", "r", "R"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, RunScreen), key
        assert "Cancel run" not in [c.title for c in app.get_system_commands(app.screen)]
        # the footer does not offer what cannot be done
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert not {"cancel_run", "reexecute(False)", "reexecute(True)"} & shown
    assert [r.run_id for r in seeded.store.list_runs()] == [RUN_FAIL, RUN_OK]


async def test_keymap_reports_an_unknown_binding_id_with_the_closest_one(make_app: MakeApp, shop: Path, home: Path) -> None:
    (home / "dagdeck.toml").write_text('[keymap]\n"assets.materialise" = "x"\n"runs.open" = "o"\n')
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        errors = [m for m, severity in notes(app) if severity == "error"]
        assert len(errors) == 1, notes(app)
        assert "unknown binding id 'assets.materialise'" in errors[0]
        assert "did you mean 'assets.materialize'" in errors[0]
        assert str(home / "dagdeck.toml") in errors[0]
