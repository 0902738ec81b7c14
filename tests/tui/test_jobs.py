"""Jobs screen: jobs with their step graphs; `l` launches after a confirm, `L` edits config first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import TextArea
from tui_helpers import plain, run_status, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.widgets.dialogs import ConfigEditor, ConfirmScreen

MakeApp = Callable[..., DagdeckApp]
SIZE = (100, 30)


async def _jobs(pilot) -> JobsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    await wait_until(pilot, lambda: screen.jobs, what="the jobs")
    return screen


async def test_jobs_list_and_graph(make_app: MakeApp, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _jobs(pilot)
        names = [j.name for j in screen.jobs]
        assert "shop_job" in names
        while screen.current is not None and screen.current.name != "shop_job":
            await pilot.press("down")
        graph = screen.query_one("#job-graph")
        assert [r.key for r in graph.rows] == ["orders", "revenue"]
        assert graph.rows[1].upstream == ("orders",)
        assert graph.border_title == "shop_job: The shop assets."


async def test_l_launches_after_confirm(make_app: MakeApp, instance: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _jobs(pilot)
        while screen.current is not None and screen.current.name != "shop_job":
            await pilot.press("down")
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == "Launch job shop_job?" and app.screen.body == "2 steps"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and instance.store.list_runs() == []
        await pilot.press("l", "y")
        runs = await wait_until(pilot, instance.store.list_runs, what="the launched run")
        assert runs[0].job_name == "shop_job"
        await wait_until(pilot, lambda: run_status(instance, runs[0].run_id) == "SUCCESS", timeout=30, what="SUCCESS")


async def test_L_opens_the_config_editor_which_validates(make_app: MakeApp, instance: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _jobs(pilot)
        await pilot.press("L")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, ConfigEditor)
        editor.query_one(TextArea).text = "[1, 2]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        assert "config must be a JSON object" in plain(editor.query_one("#config-error").content)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    assert instance.store.list_runs() == []
