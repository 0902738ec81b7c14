"""Run screen: steps with status, the event log (follow, level and step filters, step stdout),
opening the asset, cancel to CANCELED and re-execute from failure, with real worker processes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Log
from tui_helpers import RUN_FAIL, RUN_OK, notes, plain, run_status, settle, wait_until, write_settings

from dagdeck.core.console_api import ConsoleAPI
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.widgets.dialogs import ConfirmScreen

MakeApp = Callable[..., DagdeckApp]
SIZE = (100, 30)

SLOW_DEFS = '''
    import time

    import dagdeck as dg


    @dg.asset
    def slow(context):
        context.log.info("looping until canceled")
        for _ in range(600):
            if context.is_canceled():
                return None
            time.sleep(0.05)
        return 1


    defs = dg.Definitions(assets=[slow])
'''

FLAKY_DEFS = '''
    from pathlib import Path

    import dagdeck as dg

    MARKER = Path(__file__).with_name("failed-once")


    @dg.asset
    def first():
        return 1


    @dg.asset
    def flaky(first):
        if not MARKER.exists():
            MARKER.write_text("x")
            raise RuntimeError("fails the first time")
        return first + 1


    @dg.asset
    def last(flaky):
        return flaky


    defs = dg.Definitions(assets=[first, flaky, last])
'''


def _run_screen(app: DagdeckApp) -> RunScreen:
    assert isinstance(app.screen, RunScreen), app.screen
    return app.screen


async def _open(pilot, run_id: str, steps: int) -> RunScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.open_run(run_id)
    await wait_until(
        pilot,
        lambda: isinstance(pilot.app.screen, RunScreen) and pilot.app.screen.query("#steps-table"),
        what="the run screen",
    )
    screen = _run_screen(pilot.app)
    await wait_until(pilot, lambda: screen.table.row_count == steps and screen.run is not None, what="the steps")
    return screen


def _log(screen: RunScreen) -> list[str]:
    return list(screen.query_one(Log).lines)


def _header(screen: RunScreen) -> str:
    return plain(screen.query_one("#run-header").content)


async def test_steps_with_status_attempts_and_the_event_log(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_OK, 2)
        table = screen.table
        assert [str(c) for c in table.get_row("orders")][:4] == ["orders", "succeeded", "1", "500ms"]
        assert [str(c) for c in table.get_row("revenue")][:4] == ["revenue", "succeeded", "1", "1.2s"]
        log = _log(screen)
        assert len(log) == 13
        assert log[0].startswith("22:13:20.000 RUN_ENQUEUED") and "RUN_SUCCESS" in log[-1]
        assert any("ASSET_MATERIALIZATION" in line and "rows=3" in line for line in log)
        header = _header(screen)
        assert "SUCCESS" in header and RUN_OK in header and "following" in header
        await pilot.press("q")
        await settle(pilot)

        failed = await _open(pilot, RUN_FAIL, 1)
        assert [str(c) for c in failed.table.get_row("report")][:3] == ["report", "failed", "1"]
        assert "1 step(s) failed: report" in _header(failed)
        text = "\n".join(_log(failed))
        assert "ValueError: no revenue" in text and "Traceback (most recent call last)" in text


async def test_follow_level_step_filter_and_stdout(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_OK, 2)
        assert screen.follow
        await pilot.press("f")
        assert not screen.follow and "paused (G resumes)" in _header(screen)
        await pilot.press("f")
        assert screen.follow and "following" in _header(screen)
        await pilot.press("f", "G")
        assert screen.follow

        # e cycles the minimum level: DEBUG -> INFO -> WARNING -> ERROR -> DEBUG
        assert any("3 rows" in line for line in _log(screen))
        await pilot.press("e")
        assert "level ≥ INFO" in _header(screen)
        assert not any("3 rows" in line for line in _log(screen))
        assert any("reading the csv" in line for line in _log(screen))
        await pilot.press("e")
        assert [line.split()[1] for line in _log(screen)] == ["WARNING"]
        await pilot.press("e")
        assert _log(screen) == []
        await pilot.press("e")
        assert len(_log(screen)) == 13 and "level ≥ DEBUG" in _header(screen)

        # s: only the selected step's events
        assert screen.selected_step == "orders"
        await pilot.press("s")
        assert screen.step_filter == "orders"
        assert all(" orders " in line for line in _log(screen)) and len(_log(screen)) == 5
        await pilot.press("s")
        assert screen.step_filter is None and len(_log(screen)) == 13

        # o: stdout and stderr of the selected step, following the step cursor
        await pilot.press("o")
        await settle(pilot)
        assert "stdout/stderr of orders" in _header(screen)
        await wait_until(pilot, lambda: "hello from orders" in _log(screen), what="the step's stdout")
        assert _log(screen)[0] == "── stdout of orders ──"
        await pilot.press("down")
        await settle(pilot)
        await wait_until(pilot, lambda: "── stdout of revenue ──" in _log(screen), what="the next step's output")
        assert "(empty)" in _log(screen)
        await pilot.press("o")
        assert len(_log(screen)) == 13


async def test_a_opens_the_selected_steps_asset(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_OK, 2)
        await pilot.press("down", "a")
        await settle(pilot)
        assert app.current_mode == "assets" and isinstance(app.screen, AssetsScreen)
        await wait_until(pilot, lambda: app.screen.graph.current_key == "revenue", what="revenue selected")
        await pilot.press("2")  # the run screen is still where it was left
        await settle(pilot)
        assert app.screen is screen


async def test_cancel_a_long_running_asset_ends_canceled(
    make_app: MakeApp, instance: Instance, defs_file: Callable[[str], Path], home: Path, project: Path
) -> None:
    write_settings(home, cancel_grace_seconds=2)
    path = defs_file(SLOW_DEFS)
    app = make_app(path, poll_seconds=0.2)
    api = ConsoleAPI(instance, CodeLocation(file=str(path), working_dir=str(project)))
    api.reload()
    run = api.materialize(["slow"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, run.run_id, 1)
        await wait_until(pilot, lambda: screen.steps["slow"].status == "running", timeout=60, what="the step to run")
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.title_text == f"Cancel run {run.run_id[:8]}?"
        assert "1 step(s) running: slow" in dialog.body
        await pilot.press("n")  # refused: keeps running
        await settle(pilot)
        assert app.screen is screen and run_status(instance, run.run_id) == "STARTED"
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: run_status(instance, run.run_id) == "CANCELED", timeout=60, what="CANCELED")
        await wait_until(pilot, lambda: "CANCELED" in _header(screen), what="the header to show CANCELED")
        await wait_until(pilot, lambda: screen.steps["slow"].status == "canceled", what="the step canceled")
        assert any("RUN_CANCELED" in line for line in _log(screen))
        await pilot.press("c")  # nothing left to cancel
        await settle(pilot)
        assert app.screen is screen
        assert any("nothing to cancel" in m for m, _ in notes(app))


async def test_reexecute_from_failure_runs_only_failed_and_skipped_steps(
    make_app: MakeApp, instance: Instance, defs_file: Callable[[str], Path], project: Path
) -> None:
    path = defs_file(FLAKY_DEFS)
    api = ConsoleAPI(instance, CodeLocation(file=str(path), working_dir=str(project)))
    api.reload()
    parent = api.launcher.wait(api.materialize(["first", "flaky", "last"]).run_id, timeout=30)
    assert parent.status == "FAILURE"
    app = make_app(path, poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, parent.run_id, 3)
        assert {k: s.status for k, s in screen.steps.items()} == {
            "first": "succeeded",
            "flaky": "failed",
            "last": "skipped",
        }
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == f"Re-execute failed and skipped steps of run {parent.run_id[:8]}?"
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, RunScreen) and app.screen.run_id != parent.run_id,
            timeout=60,
            what="the new run to open",
        )
        child_screen = _run_screen(app)
        child_id = child_screen.run_id
        await wait_until(pilot, lambda: run_status(instance, child_id) == "SUCCESS", timeout=30, what="SUCCESS")
        child = instance.store.get_run(child_id)
        assert child is not None
        assert child.parent_run_id == parent.run_id
        assert child.plan["step_keys"] == ["flaky", "last"]
        await wait_until(pilot, lambda: "SUCCESS" in _header(child_screen), what="the header to show SUCCESS")
        assert f"parent {parent.run_id[:8]}" in _header(child_screen)
        await wait_until(
            pilot,
            lambda: {k: s.status for k, s in child_screen.steps.items()} == {"flaky": "succeeded", "last": "succeeded"},
            what="only flaky and last, succeeded",
        )
        await pilot.press("q")  # back to the runs list, where both runs are
        await settle(pilot)
        assert app.current_mode == "runs"


async def test_reexecute_from_failure_of_a_successful_run_is_refused(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_OK, 2)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("R", "y")
        await settle(pilot)
        await wait_until(pilot, lambda: any(s == "error" for _, s in notes(app)), what="the refusal")
        assert any("only failed or canceled runs re-execute from failure" in m for m, _ in notes(app))
        assert app.screen is screen
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == f"Re-execute all steps of run {RUN_OK[:8]}?"
        await pilot.press("n")
        await settle(pilot)
    assert len(seeded.store.list_runs()) == 2
