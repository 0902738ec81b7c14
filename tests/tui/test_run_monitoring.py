"""Monitoring runs in the console: the new run under the cursor after a launch, step stdout followed
live, a failed step's whole error, toasts for runs started, canceled or failed elsewhere, the cancel
grace countdown, a running step's elapsed time, and a UI thread that never waits on the store."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Log, Static
from tui_helpers import (
    BASE,
    FROZEN_NOW,
    RUN_FAIL,
    RUN_OK,
    _ev,
    notes,
    plain,
    settle,
    wait_until,
)

import dagdeck.core
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.running.processes import my_start
from dagdeck.store import Run
from dagdeck.tui import clock
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.dialogs import CancelingScreen, ConfirmScreen
from dagdeck.tui.widgets.error_view import ErrorScreen

MakeApp = Callable[..., DagdeckApp]
SIZE = (120, 36)
RUN_LIVE = "0c0c0c0c" + "3" * 24
RUN_ERR = "0e0e0e0e" + "4" * 24

CORE = dagdeck.core.__path__[0]
"""dagdeck's own frames are told apart by where dagdeck is installed."""
USER_TB = (
    "Traceback (most recent call last):\n"
    f'  File "{CORE}/running/execute_step.py", line 190, in _attempt\n'
    "    result = call_step_fn(step, ctx, args, kwargs)\n"
    f'  File "{CORE}/running/call.py", line 12, in call_step_fn\n'
    "    return fn(*args, **kwargs)\n"
    '  File "/home/ana/pipelines/report.py", line 41, in report\n'
    "    check(rows)\n"
    '  File "/home/ana/pipelines/report.py", line 12, in check\n'
    "    raise ValueError(msg)\n"
    "ValueError: " + "the revenue table has no rows for 2023-11-14; " * 4 + "(fix: load the orders first)\n"
)


def _header(screen: RunScreen) -> str:
    return plain(screen.query_one("#run-header", Static).content)


def _log(screen: RunScreen) -> list[str]:
    return list(screen.query_one(Log).lines)


async def _open(pilot: Any, run_id: str) -> RunScreen:
    pilot.app.open_run(run_id)
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, RunScreen) and pilot.app.screen.run, what="the run"
    )
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    await wait_until(pilot, lambda: screen.table.row_count == len(screen.steps) > 0, what="the steps")
    return screen


def _add_run(instance: Instance, run_id: str, status: str, events: list[dict[str, Any]], **kw: Any) -> None:
    run = Run(
        run_id=run_id,
        job_name=kw.pop("job_name", "__ASSET_JOB"),
        status=status,
        trigger=kw.pop("trigger", "cli"),
        created_at=BASE + 3500,
        started_at=BASE + 3501,
        plan={"steps": kw.pop("steps", ["orders", "revenue"]), "assets": ["orders", "revenue"]},
        **kw,
    )
    instance.store.add_run(run, events)
    if status in ("STARTED", "CANCELING"):  # its worker is this test process: alive while the test runs
        instance.store.set_worker(run_id, os.getpid(), my_start(), time.time())


def _add_canceling_run(instance: Instance) -> None:
    """A run whose cancel was requested 3 s ago (frozen clock), its step running for 10 s."""
    _add_run(
        instance,
        RUN_LIVE,
        "CANCELING",
        [
            _ev(EventType.RUN_START, RUN_LIVE, 3501, message="run started"),
            _ev(EventType.STEP_START, RUN_LIVE, 3590, step_key="orders", asset_key="orders", attempt=1),
            _ev(EventType.RUN_CANCELING, RUN_LIVE, 3597, message="cancel requested"),
        ],
    )


def _add_failed_run(instance: Instance) -> str:
    """A run whose second step failed with a long message, a traceback and 40 stderr lines; its message."""
    message = USER_TB.strip().splitlines()[-1]
    _add_run(
        instance,
        RUN_ERR,
        "FAILURE",
        [
            _ev(EventType.STEP_START, RUN_ERR, 3502, step_key="orders", asset_key="orders", attempt=1),
            _ev(EventType.STEP_SUCCESS, RUN_ERR, 3503, step_key="orders", asset_key="orders"),
            _ev(EventType.STEP_START, RUN_ERR, 3504, step_key="revenue", asset_key="revenue", attempt=1),
            _ev(
                EventType.STEP_FAILURE,
                RUN_ERR,
                3505,
                step_key="revenue",
                asset_key="revenue",
                message=message,
                level="ERROR",
                error=message,
                traceback=USER_TB,
            ),
        ],
        failure_reason="1 step(s) failed: revenue",
        ended_at=BASE + 3506,
    )
    logs = instance.run_logs_dir(RUN_ERR)
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "revenue.stderr").write_text("".join(f"warning {n}\n" for n in range(40)))
    return message


# -- point 16: the UI thread never waits on the store --------------------------------------------
async def test_open_run_and_cancel_read_the_store_off_the_ui_thread(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        api = app.api
        real_get_run, real_run_view = api.get_run, api.run_view

        def slow_get_run(run_id: str) -> Any:
            release.wait(30)
            return real_get_run(run_id)

        def slow_run_view(run_id: str) -> Any:
            release.wait(30)
            return real_run_view(run_id)

        api.get_run = slow_get_run  # type: ignore[method-assign]
        app.open_run(RUN_OK)
        await pilot.press("3")  # the store is blocked, and yet keys act at once
        await wait_until(pilot, lambda: isinstance(app.screen, JobsScreen), what="the jobs screen")
        release.set()
        await wait_until(
            pilot, lambda: isinstance(app.screen, RunScreen), what="the run once the store answers"
        )
        api.get_run = real_get_run  # type: ignore[method-assign]
        await settle(pilot)

        release.clear()
        api.run_view = slow_run_view  # type: ignore[method-assign]
        app.confirm_cancel(RUN_OK)
        await pilot.press("f")  # the run screen still answers: follow toggles
        assert isinstance(app.screen, RunScreen) and not app.screen.follow
        release.set()
        await wait_until(
            pilot, lambda: any("nothing to cancel" in m for m, _ in notes(app)), what="the answer"
        )


# -- point 3: after a launch, `2` then `enter` opens the new run ---------------------------------
async def test_two_then_enter_opens_the_run_just_launched(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        await wait_until(pilot, lambda: runs.table.row_count == 2, what="two runs")
        await pilot.press("down")  # the cursor is on the older run
        assert runs.selected_run_id == RUN_OK
        await pilot.press("3")
        await wait_until(pilot, lambda: isinstance(app.screen, JobsScreen), what="the jobs screen")
        await settle(pilot)
        await pilot.press("l")  # launch shop_job from the jobs screen
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the launch dialog")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.api.last_launched_run_id, what="the launch")
        new = app.api.last_launched_run_id
        await pilot.press("2", "enter")  # at once: the table may not show the new run yet
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), what="a run screen")
        assert app.screen.run_id == new
        await pilot.press("escape")
        await wait_until(pilot, lambda: runs.selected_run_id == new, what="the cursor on the new run")


async def test_two_then_enter_at_once_opens_the_newest_run_when_the_page_arrives(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "enter")  # before the first page of runs is read
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), what="a run screen")
        assert app.screen.run_id == RUN_FAIL  # the newest


# -- point 9: toasts, grace countdown, elapsed time ----------------------------------------------
async def test_toasts_for_runs_started_canceled_or_failed_elsewhere(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        app.poll()
        await settle(pilot)  # the first poll only notes where the event log is
        assert not [m for m, _ in notes(app) if "run " in m]
        _add_run(
            seeded,
            RUN_LIVE,
            "STARTED",
            [_ev(EventType.RUN_ENQUEUED, RUN_LIVE, 3500, message="queued by schedule:daily")],
            trigger="schedule:daily",
            job_name="shop_job",
        )
        _add_run(
            seeded,
            RUN_ERR,
            "FAILURE",
            [
                _ev(EventType.RUN_ENQUEUED, RUN_ERR, 3500, message="queued by cli"),
                _ev(EventType.RUN_CANCELING, RUN_ERR, 3501, message="cancel requested"),
                _ev(EventType.RUN_FAILURE, RUN_ERR, 3502, message="1 step(s) failed: report", level="ERROR"),
            ],
        )
        app.api.own_runs.add(RUN_ERR)  # this console started and canceled it: only its failure is news
        app.poll()
        await settle(pilot)
        said = [m for m, _ in notes(app)]
        assert "run 0c0c0c0c (job shop_job) started by schedule daily" in said
        assert any(m.startswith("run 0e0e0e0e (assets) failed: 1 step(s) failed: report") for m in said)
        assert not any("0e0e0e0e" in m and ("started" in m or "canceled" in m) for m in said)
        seeded.store.append_events([_ev(EventType.RUN_CANCELING, RUN_LIVE, 3503, message="cancel requested")])
        app.poll()
        await settle(pilot)
        said = [m for m, _ in notes(app)]
        assert "run 0c0c0c0c (job shop_job) canceled elsewhere" in said
        assert (
            len([m for m in said if "0c0c0c0c (job shop_job) started" in m]) == 1
        )  # never the same run twice


async def test_many_runs_started_at_once_make_one_toast(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        app.poll()
        await settle(pilot)
        for n in range(12):  # a backfill's runs
            run_id = f"{n:08x}" + "5" * 24
            _add_run(
                seeded,
                run_id,
                "QUEUED",
                [_ev(EventType.RUN_ENQUEUED, run_id, 3500, message="queued by backfill")],
                trigger="backfill:b1",
            )
        app.poll()
        await settle(pilot)
        said = [m for m, _ in notes(app)]
        assert said == ["12 runs started (backfill b1); 2 lists them"]


async def test_grace_countdown_and_running_step_elapsed(
    make_app: MakeApp, seeded: Instance, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert seeded.settings.cancel_grace_seconds == 10  # the default
    _add_canceling_run(seeded)
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_LIVE)
        await wait_until(pilot, lambda: "steps are killed in 7s" in _header(screen), what="the countdown")
        assert [str(c) for c in screen.table.get_row("orders")][:4] == ["orders", "running", "1", "10.0s"]
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + 5)
        await wait_until(
            pilot, lambda: "steps are killed in 2s" in _header(screen), what="the countdown ticking"
        )
        assert str(screen.table.get_row("orders")[3]) == "15.0s"  # the elapsed time ticks too
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CancelingScreen), what="the canceling dialog")
        body = app.screen.query_one("#canceling-body", Static)
        assert "steps are killed in 2s" in plain(body.content)
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + 20)
        await wait_until(pilot, lambda: "grace over" in plain(body.content), what="the dialog's countdown")
        await pilot.press("escape")
        assert app.screen is screen


# -- point 5: the error view ---------------------------------------------------------------------
async def test_enter_on_a_failed_step_opens_its_whole_error(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    message = _add_failed_run(seeded)
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, RUN_ERR)
        header = _header(screen)
        assert "first error in revenue: ValueError: the revenue table has no rows" in header
        await pilot.press("enter")  # on orders (succeeded): opens the asset, as before
        await wait_until(pilot, lambda: app.current_mode == "assets", what="the asset")
        await pilot.press("2")
        await wait_until(pilot, lambda: app.screen is screen, what="the run screen again")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), what="the error view")
        view = app.screen
        text = plain(view.query_one("#error-body", Static).content, width=76)
        flat = " ".join(text.split())
        assert message in flat  # in full, wrapped
        assert "fix: load the orders first" in flat
        assert text.index("/home/ana/pipelines/report.py:41 in report") < text.index(
            "2 dagdeck frame(s) folded"
        )
        assert "execute_step.py" not in text
        lines = [line.strip() for line in text.splitlines()]
        assert "warning 39" in lines and "warning 20" in lines and "warning 19" not in lines  # the last 20
        await pilot.press("f")
        text = plain(view.query_one("#error-body", Static).content, width=76)
        assert "core/running/execute_step.py:190 in _attempt" in text
        scroll = view.query_one("#error-scroll")
        await pilot.press("j", "j", "j")
        assert scroll.scroll_y > 0  # the view scrolls
        await pilot.press("escape")
        assert app.screen is screen


# -- point 4: step stdout follows live ------------------------------------------------------------
async def test_step_stdout_follows_live_and_follow_tells_the_truth(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    _add_run(
        seeded,
        RUN_LIVE,
        "STARTED",
        [_ev(EventType.STEP_START, RUN_LIVE, 3590, step_key="orders", asset_key="orders", attempt=1)],
    )
    logs = seeded.run_logs_dir(RUN_LIVE)
    logs.mkdir(parents=True, exist_ok=True)
    out = logs / "orders.stdout"
    out.write_text("step 1 of 100\n")
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_LIVE)
        await pilot.press("o")
        await wait_until(pilot, lambda: "step 1 of 100" in _log(screen), what="stdout so far")
        with out.open("a") as f:
            f.write("step 2 of 100\nstep 3 of")  # a line without its end yet waits
        await wait_until(pilot, lambda: "step 2 of 100" in _log(screen), what="the new line")
        assert not any("step 3" in line for line in _log(screen))
        with out.open("a") as f:
            f.write(" 100\n" + "".join(f"step {n} of 100\n" for n in range(4, 80)))
        await wait_until(pilot, lambda: "step 79 of 100" in _log(screen), what="the rest")
        assert "step 3 of 100" in _log(screen)
        log = screen.query_one(Log)
        await wait_until(pilot, lambda: log.scroll_y == log.max_scroll_y > 0, what="the log at its end")
        assert "following" in _header(screen)

        await pilot.press("tab")  # into the log
        assert log.has_focus
        await pilot.press("pageup")
        await wait_until(pilot, lambda: "paused (G resumes)" in _header(screen), what="paused after pageup")
        y = log.scroll_y
        with out.open("a") as f:
            f.write("step 80 of 100\n")
        await wait_until(pilot, lambda: "step 80 of 100" in _log(screen), what="a line while paused")
        await settle(pilot)
        assert log.scroll_y == y and "paused" in _header(screen)  # paused: the view stays put
        await pilot.press("end")
        await wait_until(pilot, lambda: "following" in _header(screen), what="following after end")
        with out.open("a") as f:
            f.write("step 81 of 100\n")
        await wait_until(pilot, lambda: "step 81 of 100" in _log(screen), what="a line while following")
        await wait_until(pilot, lambda: log.scroll_y == log.max_scroll_y, what="the view at the end")


async def test_long_log_lines_scroll_sideways(make_app: MakeApp, seeded: Instance, shop: Path) -> None:
    _add_failed_run(seeded)
    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, RUN_ERR)
        log = screen.query_one(Log)
        # the failure's message, whole: the log may fill in more than one batch
        await wait_until(pilot, lambda: any(len(line) > 200 for line in _log(screen)), what="the long line")
        await wait_until(pilot, lambda: log.max_scroll_x > 0, what="the log to be wider than the screen")
        await pilot.press("tab", "right", "right", "right")
        await wait_until(pilot, lambda: log.scroll_x > 0, what="the log to scroll sideways")


async def test_failed_run_header_without_steps_still_says_why(
    make_app: MakeApp, seeded: Instance, shop: Path
) -> None:
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, RUN_FAIL)
        assert "1 step(s) failed: report — first error in report: ValueError: no revenue" in _header(screen)
        screen2 = screen
        await pilot.press("q")
        screen = await _open(pilot, RUN_OK)
        assert "first error" not in _header(screen) and screen is not screen2


# -- snapshots at 80x24 and 120x36 -----------------------------------------------------------------
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
Snap = Callable[..., bool]


@SIZES
def test_snapshot_error_view(
    snap_compare: Snap, make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]
) -> None:
    _add_failed_run(seeded)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = await _open(pilot, RUN_ERR)
        # the log behind the view fills in batches: wait for the whole of it, not its first lines
        await wait_until(pilot, lambda: any(len(line) > 200 for line in _log(screen)), what="the whole log")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ErrorScreen), what="the error view")
        await settle(pilot)

    assert snap_compare(make_app(shop), terminal_size=size, run_before=run_before)


@SIZES
def test_snapshot_canceling_run(
    snap_compare: Snap, make_app: MakeApp, seeded: Instance, shop: Path, size: tuple[int, int]
) -> None:
    _add_canceling_run(seeded)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = await _open(pilot, RUN_LIVE)
        await wait_until(pilot, lambda: "steps are killed in 7s" in _header(screen), what="the countdown")
        await settle(pilot)

    assert snap_compare(make_app(shop), terminal_size=size, run_before=run_before)
