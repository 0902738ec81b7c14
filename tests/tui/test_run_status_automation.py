"""The console's Automation screen lists a run failure sensor with what it watches and its last
tick, after the daemon evaluated it for a failed run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.automation import AutomationScreen
from tests.tui.tui_helpers import plain, settle

DEFS = """
import dagdeck as dg


@dg.op
def explode():
    raise RuntimeError("warehouse unreachable")


@dg.job
def nightly():
    explode()


@dg.run_failure_sensor(monitored_jobs=[nightly], default_status=dg.DefaultSensorStatus.RUNNING)
def page_on_failure(context):
    context.log.info("failed: %s", context.dagster_run.run_id)


defs = dg.Definitions(jobs=[nightly], sensors=[page_on_failure])
"""


async def test_automation_screen_shows_the_run_failure_sensor_and_its_tick(
    make_app: Callable[..., DagdeckApp], defs_file: Callable[[str], Path], instance: Instance, home: Path
) -> None:
    file = defs_file(DEFS)
    clock = [time.time()]
    daemon = Daemon(
        instance, load(CodeLocation(file=str(file))), now=lambda: clock[0], watch_files=False, run_queue=False
    )
    try:
        daemon.run_once(wait=60)
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("DAGDECK_HOME", None)
        failed = subprocess.run(
            [sys.executable, "-m", "dagdeck", "-f", str(file), "--home", str(home), "job", "run", "nightly"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert failed.returncode != 0
        clock[0] += 31
        daemon.run_once(wait=60)
    finally:
        daemon.stop()
    assert (
        instance.store.list_ticks("page_on_failure", limit=1)[0].skip_reason
        == "handled 1 run end(s); no run requested"
    )
    app = make_app(file)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, AutomationScreen)
        table = app.screen.query_one("#automation-table", DataTable)
        rows = [[plain(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        row = next(r for r in rows if r[1] == "page_on_failure")
        assert row[4] == "sensor" and "on" in row[0]
        assert row[6] == "run_status: runs ending FAILURE of nightly"
        assert row[3].startswith("SKIPPED") and "handled 1 run end(s)" in row[3]
