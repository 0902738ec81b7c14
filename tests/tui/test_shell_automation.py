"""The console's shell: a module location that never loaded reloads on save, the header at 80x24,
the daemon label and the quit warning, the Automation screen refreshing by itself."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import NEVER, plain, settle, wait_until

from dagdeck.core.console_api import ConsoleAPI
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.widgets.status_bar import LoadErrorBanner

MakeApp = Callable[..., DagdeckApp]

BROKEN = """\
import dagdeck as dg


@dg.asset
def alpha(:
    return 1
"""
GOOD = """\
import dagdeck as dg


@dg.asset
def alpha():
    return 1


defs = dg.Definitions(assets=[alpha])
"""


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path)


async def test_module_that_never_loaded_reloads_once_fixed(instance: Instance, project: Path) -> None:
    """Point 2: `-m pkg.defs` broken at start-up; saving a fixed file reloads without a key press."""
    pkg = project / "shell15pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    defs = pkg / "defs.py"
    _write(defs, BROKEN)
    api = ConsoleAPI(instance, CodeLocation(module="shell15pkg.defs", working_dir=str(project)))
    assert defs.resolve() in [f.resolve() for f in api.watched_files]  # known before any load
    app = DagdeckApp(api, watch_files=True, poll_seconds=NEVER)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetsScreen)
        banner = screen.query_one(LoadErrorBanner)
        await wait_until(pilot, lambda: banner.has_class("-shown"), what="the load-error banner")
        assert api.defs is None
        _write(defs, GOOD)
        await wait_until(pilot, lambda: not banner.has_class("-shown"), what="the banner to hide")
        await wait_until(
            pilot, lambda: [r.key for r in screen.graph.rows] == ["alpha"], what="the loaded graph"
        )
        assert "definitions did not load" not in plain(banner.content)


AUTOMATED = """\
import dagdeck as dg


@dg.asset
def alpha():
    return 1


nightly = dg.ScheduleDefinition(
    name="nightly", cron_schedule="0 3 * * *", target="*", default_status=dg.DefaultScheduleStatus.RUNNING
)
defs = dg.Definitions(assets=[alpha], schedules=[nightly])
"""


def _header(app: DagdeckApp) -> str:
    from dagdeck.tui.widgets.status_bar import StatusBar

    return plain(app.screen.query_one(StatusBar).render())


async def test_header_at_80x24_keeps_counts_and_clock(
    seeded: Instance, shop: Path, make_app: MakeApp
) -> None:
    """Point 10: the project name gives way before the run counts and the clock."""
    app = make_app(shop, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "1 failed" in _header(app), what="the failed count")
        text = _header(app)
        assert "0 running" in text and "0 queued" in text and "1 failed" in text, text
        assert "23:13:20" in text, text  # the frozen clock, at the right edge
        assert "…" not in text[-12:], text
        await pilot.resize_terminal(200, 50)
        await wait_until(pilot, lambda: "store sqlite" in _header(app), what="the wide header")
        assert "proj" in _header(app)


async def test_header_names_the_daemon_holder(
    instance: Instance, defs_file: Callable[[str], Path], make_app: MakeApp
) -> None:
    """Point 15: `daemon: pid N on host` when another process holds the lease, `off` without one."""
    app = make_app(defs_file(AUTOMATED), poll_seconds=0.2)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: "daemon: off" in _header(app), what="daemon off")
        import time

        assert instance.store.acquire_lease("daemon", "buildhost:4242:abcdef", time.time(), ttl=12.0)
        await wait_until(
            pilot, lambda: "daemon: pid 4242 on buildhost" in _header(app), what="the lease holder"
        )


async def test_quit_with_the_console_daemon_warns_and_points_to_dagdeck_daemon(
    instance: Instance, defs_file: Callable[[str], Path], project: Path
) -> None:
    """Point 15: ctrl+q while this console leads the daemon and a schedule is on asks first."""
    api = ConsoleAPI(instance, CodeLocation(file=str(defs_file(AUTOMATED)), working_dir=str(project)))
    app = DagdeckApp(api, watch_files=False, poll_seconds=0.2, run_daemon=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: "daemon: this console" in _header(app), what="the console's daemon")
        await pilot.press("ctrl+q")
        from dagdeck.tui.widgets.dialogs import ConfirmScreen

        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the quit confirmation")
        body = plain(app.screen.query_one("#confirm-body").render())
        assert "nightly" in body and "dagdeck daemon" in body, body
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="back to the console")
        assert app.is_running
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the quit confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, what="the app to quit")


async def test_automation_screen_refreshes_ticks_by_itself(
    instance: Instance, defs_file: Callable[[str], Path], make_app: MakeApp
) -> None:
    """Point 9: a tick recorded by a daemon elsewhere shows in the row and the history, no key pressed."""
    from textual.widgets import DataTable, Static
    from tui_helpers import FROZEN_NOW

    from dagdeck.store import Tick
    from dagdeck.tui.screens.automation import AutomationScreen

    app = make_app(defs_file(AUTOMATED))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await wait_until(
            pilot, lambda: isinstance(app.screen, AutomationScreen), what="the automation screen"
        )
        screen = app.screen
        table = screen.query_one("#automation-table", DataTable)
        history = screen.query_one("#tick-history", Static)
        await wait_until(pilot, lambda: "no ticks yet" in plain(history.render()), what="the empty history")
        assert plain(table.get_row_at(0)[2]).startswith("in ")  # the next tick
        instance.store.add_tick(
            Tick(
                instigator_name="nightly",
                kind="schedule",
                timestamp=FROZEN_NOW - 30,
                status="SKIPPED",
                skip_reason="nothing to do",
            )
        )
        await wait_until(
            pilot, lambda: "nothing to do" in plain(history.render()), what="the new tick in the history"
        )
        await wait_until(
            pilot, lambda: plain(table.get_row_at(0)[3]).startswith("SKIPPED"), what="the last tick"
        )
        shown = sum(c.get_render_width(table) for c in table.ordered_columns[:4])
        assert shown <= 80, "next tick and last tick must stay on screen at 80 columns"


REPO = Path(__file__).resolve().parents[2]


async def test_demo_has_a_slow_printing_asset_and_a_warning_one(instance: Instance) -> None:
    """Point 17: the demo's `live_demo` job, launched with `L` and a short `seconds`, prints its
    progress lines to stdout and logs warnings."""
    import json

    from textual.widgets import OptionList, TextArea
    from tui_helpers import run_status

    from dagdeck.tui.screens.jobs import JobsScreen
    from dagdeck.tui.widgets.dialogs import ConfigEditor

    api = ConsoleAPI(instance, CodeLocation(module="demo_project.definitions", working_dir=str(REPO)))
    app = DagdeckApp(api, watch_files=False, poll_seconds=NEVER)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetsScreen)
        await wait_until(
            pilot, lambda: {"slow_rebuild", "order_quality"} <= {r.key for r in screen.graph.rows}
        )
        await pilot.press("3")
        await settle(pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        await wait_until(pilot, lambda: jobs.jobs, what="the jobs")
        jobs.query_one("#jobs-list", OptionList).highlighted = [j.name for j in jobs.jobs].index("live_demo")
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfigEditor), what="the config editor")
        area = app.screen.query_one(TextArea)
        config = json.loads(area.text)
        assert config == {"ops": {"slow_rebuild": {"config": {"seconds": 60.0, "chunks": 30}}}}
        config["ops"]["slow_rebuild"]["config"] = {"seconds": 0.3, "chunks": 3}
        area.text = json.dumps(config)
        await pilot.press("ctrl+s")
        runs = await wait_until(pilot, instance.store.list_runs, what="the launched run")
        run_id = runs[0].run_id
        await wait_until(
            pilot, lambda: run_status(instance, run_id) == "SUCCESS", timeout=120, what="SUCCESS"
        )
    stdout = api.step_log(run_id, "slow_rebuild", "stdout")
    assert "rebuild chunk 3/3: 100%" in stdout, stdout
    warnings = [e for e in instance.store.get_events(run_id=run_id) if e.level == "WARNING"]
    assert any("looks high" in e.message for e in warnings)


def _many_steps_run(instance: Instance, file: Path, project: Path) -> str:
    """A failed run of 14 steps: the failed one is last in plan order."""
    from tui_helpers import BASE

    from dagdeck.core.events import EventType, make_event
    from dagdeck.store import Run

    run_id = "0b0b0b0b" + "3" * 24
    keys = [f"step_{i:02d}" for i in range(14)]
    run = Run(
        run_id=run_id,
        job_name="__ASSET_JOB",
        status="FAILURE",
        trigger="cli",
        created_at=BASE,
        started_at=BASE + 1,
        ended_at=BASE + 30,
        plan={"steps": keys, "assets": keys},
        location=CodeLocation(file=str(file), working_dir=str(project)).to_dict(),
    )
    events = [make_event(EventType.RUN_START, run_id, timestamp=BASE + 1, message="run started")]
    for i, key in enumerate(keys):
        events.append(
            make_event(EventType.STEP_START, run_id, timestamp=BASE + 2 + i, step_key=key, attempt=1)
        )
        kind = EventType.STEP_FAILURE if key == keys[-1] else EventType.STEP_SUCCESS
        events.append(
            make_event(kind, run_id, timestamp=BASE + 2.5 + i, step_key=key, message="done", error="boom")
        )
    events.append(make_event(EventType.RUN_FAILURE, run_id, timestamp=BASE + 30, message="1 step(s) failed"))
    instance.store.add_run(run, events)
    return run_id


@pytest.mark.parametrize(
    ("size", "first", "second"), [((80, 24), "step_13", "step_00"), ((120, 60), "step_00", "step_01")]
)
async def test_step_table_shows_failed_steps_first_when_it_cannot_show_all(
    instance: Instance,
    shop: Path,
    project: Path,
    make_app: MakeApp,
    size: tuple[int, int],
    first: str,
    second: str,
) -> None:
    """Point 10: at 80x24 the failed step (last in plan order) is the first row; when all fit,
    plan order stays."""
    from textual.widgets import DataTable

    from dagdeck.tui.screens.run import RunScreen

    run_id = _many_steps_run(instance, shop, project)
    app = make_app(shop)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.open_run(run_id)
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen), what="the run screen")
        table = app.screen.query_one("#steps-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 14, what="the steps")
        assert (table.size.height - 1 < 14) == (first == "step_13"), table.size
        await wait_until(pilot, lambda: str(table.get_row_at(0)[0]) == first, what=f"{first} first")
        assert str(table.get_row_at(1)[0]) == second


def test_urgent_first_orders_running_failed_retrying_then_plan() -> None:
    from dagdeck.tui.widgets.step_order import urgent_first

    statuses = {"a": "succeeded", "b": "failed", "c": "pending", "d": "running", "e": "up_for_retry"}
    assert urgent_first(statuses, fits=True) == ["a", "b", "c", "d", "e"]
    assert urgent_first(statuses, fits=False) == ["d", "b", "e", "a", "c"]


async def test_footer_keeps_help_at_80x24(seeded: Instance, shop: Path, make_app: MakeApp) -> None:
    """Point 10: `? Help` is the footer's first key, so a narrow terminal never cuts it off."""
    from textual.widgets._footer import FooterKey

    from dagdeck.tui.widgets.status_bar import DeckFooter

    app = make_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await settle(pilot)
            footer = app.screen.query_one(DeckFooter)
            keys = [k for k in footer.query(FooterKey) if "-command-palette" not in k.classes]
            help_key = keys[0]
            assert help_key.action == "help" and help_key.key_display == "?", key
            assert help_key.region.right <= 80 and help_key.region.width > 0
