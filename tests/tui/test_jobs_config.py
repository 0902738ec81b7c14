"""Jobs screen (issue 15 point 14): each job shows its last run's status and age, updated as runs
end; `L` opens the run config pre-filled from the job's Config class and defaults, and the engine's
validation keeps a bad config from launching."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, TextArea
from tui_helpers import BASE, plain, run_status, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.store import Run
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.widgets.dialogs import ConfigEditor

MakeApp = Callable[..., DagdeckApp]

DEFS = """
import dagdeck as dg


class FetchConfig(dg.Config):
    region: str
    limit: int = 5


@dg.op
def fetch(context, config: FetchConfig):
    context.log.info(f"{config.region} {config.limit}")
    return config.limit


@dg.op
def plain_step():
    return 1


@dg.job(description="Fetch with config.")
def fetch_job():
    fetch()


@dg.job
def other_job():
    plain_step()


defs = dg.Definitions(jobs=[fetch_job, other_job])
"""


async def _jobs(pilot: Any) -> JobsScreen:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    await wait_until(pilot, lambda: screen.jobs, what="the jobs")
    return screen


def _prompt(screen: JobsScreen, name: str) -> str:
    options = screen.query_one("#jobs-list", OptionList)
    return plain(options.get_option(name).prompt)


async def test_jobs_show_their_last_run_and_follow_new_ones(
    make_app: MakeApp, instance: Instance, defs_file: Callable[[str], Path]
) -> None:
    instance.store.add_run(
        Run(run_id="f" * 32, job_name="other_job", status="FAILURE", trigger="cli", created_at=BASE + 60),
        [],
    )
    app = make_app(defs_file(DEFS), poll_seconds=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _jobs(pilot)
        await wait_until(pilot, lambda: "FAILURE" in _prompt(screen, "other_job"), what="the last run")
        assert "59m ago" in _prompt(screen, "other_job")
        assert "never run" in _prompt(screen, "fetch_job")
        while screen.current is not None and screen.current.name != "other_job":
            await pilot.press("down")
        await pilot.press("l", "y")
        runs = await wait_until(
            pilot, lambda: instance.store.list_runs(job="other_job", limit=1), what="the run"
        )
        new = runs[0]
        assert new.run_id != "f" * 32
        await wait_until(
            pilot, lambda: run_status(instance, new.run_id) == "SUCCESS", timeout=60, what="SUCCESS"
        )
        await wait_until(
            pilot, lambda: "SUCCESS" in _prompt(screen, "other_job"), what="the jobs list to show the new run"
        )


async def test_L_prefills_config_and_refuses_a_bad_one(
    make_app: MakeApp, instance: Instance, defs_file: Callable[[str], Path]
) -> None:
    app = make_app(defs_file(DEFS))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _jobs(pilot)
        while screen.current is not None and screen.current.name != "fetch_job":
            await pilot.press("down")
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfigEditor), what="the config editor")
        editor = app.screen
        area = editor.query_one(TextArea)
        assert json.loads(area.text) == {"ops": {"fetch": {"config": {"region": None, "limit": 5}}}}
        await pilot.press("ctrl+s")  # region is required and still null
        await settle(pilot)
        assert app.screen is editor
        error = plain(editor.query_one("#config-error").render())
        assert "fetch" in error and "region" in error, error
        assert instance.store.list_runs() == []
        area.text = json.dumps({"ops": {"fetch": {"config": {"region": "eu", "limit": 7}}}})
        await pilot.press("ctrl+s")
        runs = await wait_until(pilot, instance.store.list_runs, what="the launched run")
        assert runs[0].job_name == "fetch_job"
        assert runs[0].run_config == {"ops": {"fetch": {"config": {"region": "eu", "limit": 7}}}}


SIZES = pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])


def _seed_last_run(instance: Instance) -> None:
    instance.store.add_run(
        Run(run_id="f" * 32, job_name="other_job", status="FAILURE", trigger="cli", created_at=BASE + 60),
        [],
    )


def _until_jobs(*keys: str, until: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        screen = await _jobs(pilot)
        await wait_until(pilot, lambda: "FAILURE" in _prompt(screen, "other_job"), what="the last run")
        for key in keys:
            await pilot.press(key)
        if until is not None:
            await wait_until(pilot, lambda: until(pilot), what="the screen")
        await settle(pilot)

    return run_before


@SIZES
def test_jobs_with_last_runs_snapshot(
    snap_compare: Callable[..., bool],
    make_app: MakeApp,
    instance: Instance,
    defs_file: Callable[[str], Path],
    size: tuple[int, int],
) -> None:
    _seed_last_run(instance)
    assert snap_compare(make_app(defs_file(DEFS)), terminal_size=size, run_before=_until_jobs())


@SIZES
def test_config_editor_snapshot(
    snap_compare: Callable[..., bool],
    make_app: MakeApp,
    instance: Instance,
    defs_file: Callable[[str], Path],
    size: tuple[int, int],
) -> None:
    _seed_last_run(instance)
    app = make_app(defs_file(DEFS))
    until = _until_jobs("L", until=lambda p: isinstance(p.app.screen, ConfigEditor))
    assert snap_compare(app, terminal_size=size, run_before=until)
