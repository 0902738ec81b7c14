"""A run failure sensor with two real `dagdeck daemon` processes on one SQLite store: only the lease
holder evaluates, the cursor moves with the tick, so one failed run is reported exactly once, even
after the reporting daemon stops and the other one takes over."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagdeck.core.instance import Instance
from tests.conftest import ROOT
from tests.faults.automation_helpers import daemon_process, stop_gently, wait_for

DEFS = """
import os

import dagdeck as dg


@dg.op
def explode():
    raise RuntimeError("warehouse unreachable")


@dg.job
def nightly():
    explode()


@dg.run_failure_sensor(
    monitored_jobs=[nightly], minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING
)
def page_on_failure(context):
    with open(os.environ["ALERTS_FILE"], "a") as out:
        out.write(f"{os.getpid()} {context.dagster_run.run_id}\\n")


defs = dg.Definitions(jobs=[nightly], sensors=[page_on_failure])
"""


def _lines(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def test_two_daemons_report_a_failed_run_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    defs, home, alerts = tmp_path / "defs.py", tmp_path / "home", tmp_path / "alerts.txt"
    defs.write_text(DEFS)
    home.mkdir()
    monkeypatch.setenv("ALERTS_FILE", str(alerts))
    instance = Instance.open(home)
    store = instance.store
    try:
        with (
            daemon_process(defs, home, tmp_path / "a.log") as first,
            daemon_process(defs, home, tmp_path / "b.log") as second,
        ):
            wait_for("the sensor's first tick", lambda: store.list_ticks("page_on_failure", limit=1))
            env = {**os.environ, "NO_COLOR": "1"}
            env.pop("DAGDECK_HOME", None)
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "dagdeck",
                    "-f",
                    str(defs),
                    "--home",
                    str(home),
                    "job",
                    "run",
                    "nightly",
                ],
                cwd=str(ROOT),
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert run.returncode != 0, run.stdout
            failed = store.list_runs(limit=1)[0]
            assert failed.status == "FAILURE"
            reported = wait_for("the failure report", lambda: _lines(alerts))
            assert [r[1] for r in reported] == [failed.run_id]
            reporter = int(reported[0][0])
            assert reporter in (first.pid, second.pid)
            leader, standby = (first, second) if reporter == first.pid else (second, first)
            stop_gently(leader)
            stopped_at = time.time()
            wait_for(
                "the other daemon to evaluate the sensor",
                lambda: (
                    (lease := store.get_lease("daemon")) is not None
                    and f":{standby.pid}:" in lease.owner
                    and store.list_ticks("page_on_failure", limit=1)[0].timestamp > stopped_at + 1
                ),
            )
            assert standby.poll() is None
            assert _lines(alerts) == reported
    finally:
        instance.close()
