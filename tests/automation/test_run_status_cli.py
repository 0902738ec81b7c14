"""`dagdeck sensors tick` on a run failure sensor: a dry run names the failed runs without calling
the function (an alert sent by a preview would be sent again by the daemon); `--launch` calls it
once per failed run and moves the cursor, so the next tick calls it no more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PIPELINE = ROOT / "tests" / "compat" / "pipelines" / "run_status_failure_alert.py"


def _dagdeck(home: Path, alerts: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "ALERTS_FILE": str(alerts)}
    env.pop("DAGDECK_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "dagdeck", "-f", str(PIPELINE), "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=str(ROOT),
    )


def test_sensors_tick_previews_then_launches_a_run_failure_sensor(tmp_path: Path) -> None:
    home, alerts = tmp_path / "home", tmp_path / "alerts.log"
    assert _dagdeck(home, alerts, "sensors", "start", "report_failures").returncode == 0
    assert _dagdeck(home, alerts, "sensors", "tick", "report_failures", "--launch").returncode == 0
    failed = _dagdeck(home, alerts, "job", "run", "nightly_etl", "--json")
    run_id = json.loads(failed.stdout)["run_id"]
    preview = _dagdeck(home, alerts, "sensors", "tick", "report_failures")
    assert preview.returncode == 0, preview.stderr
    assert f"would be called for 1 run(s): {run_id}" in preview.stdout
    assert not alerts.exists()
    launched = _dagdeck(home, alerts, "sensors", "tick", "report_failures", "--launch")
    assert launched.returncode == 0, launched.stderr
    assert [line.split("\t")[1] for line in alerts.read_text().splitlines()] == [run_id]
    again = _dagdeck(home, alerts, "sensors", "tick", "report_failures", "--launch")
    assert again.returncode == 0 and "no new runs ended with FAILURE" in again.stdout
    assert len(alerts.read_text().splitlines()) == 1
