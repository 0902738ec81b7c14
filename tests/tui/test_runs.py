"""Runs screen: filters, opening a run, and runs started outside the console showing up live."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import RUN_FAIL, RUN_OK, notes, settle, wait_until

import dagdeck as dg
from dagdeck.core.console_api import ConsoleAPI
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.filter_input import FilterInput

MakeApp = Callable[..., DagdeckApp]
SIZE = (100, 30)


def _ids(screen: RunsScreen) -> list[str]:
    return [str(r.key.value) for r in screen.table.ordered_rows]


async def _runs(pilot) -> RunsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunsScreen)
    await wait_until(pilot, lambda: screen.table.row_count == 2, what="the seeded runs")
    return screen


async def test_runs_table_newest_first_with_status_job_and_trigger(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _runs(pilot)
        assert _ids(screen) == [RUN_FAIL, RUN_OK]
        row = [str(c) for c in screen.table.get_row(RUN_FAIL)]
        assert row == ["✖ FAILURE", "0f0f0f0f", "(assets)", "cli", "11-14 22:14:21", "2.0s", ""]
        assert screen.table.border_title.startswith("runs (2)  page 1/1")


async def test_partition_column_and_filter(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    """A partitioned run shows its partition (or range) in its own column; `partition:KEY` and
    `backfill:ID` filter on the run tags Dagster gives them."""
    from tui_helpers import BASE

    from dagdeck.store import Run

    day, ranged = "0d0d0d0d" + "3" * 24, "0e0e0e0e" + "4" * 24
    for run_id, tags, at in (
        (day, {"dagster/partition": "2024-01-02", "dagster/backfill": "bf1"}, 60.0),
        (ranged, {"dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-01-07"}, 90.0),
    ):
        seeded.store.add_run(
            Run(run_id=run_id, job_name="__ASSET_JOB", status="SUCCESS", trigger="backfill", created_at=BASE + at,
                started_at=BASE + at, ended_at=BASE + at + 1, plan={"steps": [], "assets": []}, tags=tags)
        )  # fmt: skip
    app = make_app(shop)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        await wait_until(pilot, lambda: screen.table.row_count == 4, what="four runs")
        assert str(screen.table.get_row(day)[-1]) == "2024-01-02"
        assert str(screen.table.get_row(ranged)[-1]) == "2024-01-01...2024-01-07"
        assert str(screen.table.get_row(RUN_OK)[-1]) == ""
        box = screen.query_one(FilterInput)
        for text, expected in (("partition:2024-01-02", [day]), ("backfill:bf1", [day]), ("partition:2024-02-01", [])):
            await pilot.press("slash")
            box.value = text
            await pilot.press("enter")
            await settle(pilot)
            await wait_until(pilot, lambda e=expected: _ids(screen) == e, what=f"filter {text!r}")


async def test_status_filter_and_text_filter(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _runs(pilot)
        box = screen.query_one(FilterInput)
        await pilot.press("slash")
        assert box.has_focus
        box.insert_text_at_cursor("status:failed")
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: _ids(screen) == [RUN_FAIL], what="only the failed run")
        assert screen.table.has_focus and "filter: status:failed" in screen.table.border_title
        for text, expected in (
            ("status:SUCCESS", [RUN_OK]),
            ("status:failed,success", [RUN_FAIL, RUN_OK]),
            ("0a0a", [RUN_OK]),
            ("console", [RUN_OK]),
            ("job:__ASSET_JOB cli", [RUN_FAIL]),
            ("job:nightly", []),
        ):
            await pilot.press("slash")
            box.value = text
            await pilot.press("enter")
            await settle(pilot)
            await wait_until(pilot, lambda e=expected: _ids(screen) == e, what=f"filter {text!r}")
        await pilot.press("slash", "escape")
        await settle(pilot)
        await wait_until(pilot, lambda: _ids(screen) == [RUN_FAIL, RUN_OK], what="the filter cleared")
        assert screen.filter_text == ""


async def test_enter_opens_the_run_and_q_comes_back(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _runs(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and app.screen.run_id == RUN_OK
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("c")  # a finished run has nothing to cancel
        await settle(pilot)
        assert any("nothing to cancel" in m for m, _ in notes(app))
        assert app.screen is screen


async def test_runs_from_outside_the_console_appear_while_it_is_open(
    make_app: MakeApp, instance: Instance, shop: Path, project: Path, fresh_instance: Callable[[], Instance]
) -> None:
    """The poll picks up runs other processes record: no key is pressed, the screen is not reopened.
    (How soon, at the default 0.5 s poll, is for bench/; the timeouts only stop a hang.)"""

    @dg.asset
    def outside() -> int:
        return 1

    app = make_app(shop, poll_seconds=0.5)  # the console's default poll
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunsScreen) and screen.table.row_count == 0

        # another console (or the CLI): a worker-process run through its own store connection
        other_console = ConsoleAPI(fresh_instance(), CodeLocation(file=str(shop), working_dir=str(project)))
        other_console.reload()
        run = await asyncio.to_thread(other_console.materialize, ["orders"], "cli")
        await wait_until(pilot, lambda: run.run_id in _ids(screen), timeout=60, what="the CLI run")
        assert app.screen is screen
        assert str(screen.table.get_cell(run.run_id, "trigger")) == "cli"
        await wait_until(
            pilot, lambda: str(screen.table.get_cell(run.run_id, "status")) == "✔ SUCCESS", timeout=60, what="SUCCESS"
        )

        # dg.materialize in another process (a notebook): runs in-process, no worker
        result = await asyncio.to_thread(dg.materialize, [outside], instance=fresh_instance())
        await wait_until(pilot, lambda: result.run_id in _ids(screen), timeout=60, what="the in-process run")
        assert app.screen is screen
        assert screen.table.row_count == 2
        assert str(screen.table.get_cell(result.run_id, "trigger")) == "in_process"


async def test_a_console_does_not_fail_an_in_process_run_of_another_process(
    make_app: MakeApp,
    instance: Instance,
    shop: Path,
    fresh_instance: Callable[[], Instance],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(shop, poll_seconds=0.2)
    in_step = threading.Event()
    watched = threading.Event()  # a whole pass of the console's dead-worker watch saw the run running
    real_watch = app.api.watch

    def watch() -> list[str]:
        running = in_step.is_set()
        found = real_watch()
        if running:
            watched.set()
        return found

    monkeypatch.setattr(app.api, "watch", watch)

    @dg.asset
    def takes_a_while() -> int:
        in_step.set()
        watched.wait(timeout=60)  # still running when the console's watch (every 2 s) looks at it
        return 1

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        result = await asyncio.to_thread(dg.materialize, [takes_a_while], instance=fresh_instance())
        await settle(pilot)
    assert watched.is_set(), "the console never watched while the run was in its step"
    assert result.outcome.result is not None and result.outcome.result.failed == []
    assert result.success, instance.store.get_run(result.run_id)
