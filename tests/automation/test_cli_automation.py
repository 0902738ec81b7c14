"""`dagdeck schedules|sensors ...` and `dagdeck daemon` through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dagdeck.core.instance import Instance
from dagdeck.core.settings import Settings
from tests.automation.conftest import PRELUDE
from tests.conftest import ROOT

DEFS = PRELUDE + """
hourly = dg.ScheduleDefinition(name="hourly", job=a_job, cron_schedule="0 * * * *")

@dg.sensor(job=a_job, minimum_interval_seconds=5)
def numbers(context):
    n = int(context.cursor or 0)
    context.update_cursor(str(n + 1))
    return dg.RunRequest(run_key=f"n{n}")

defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[hourly], sensors=[numbers])
"""


def test_lists_switches_tick_and_reset(cli: Callable[..., subprocess.CompletedProcess[str]], home: Path, tmp_path: Path) -> None:
    defs = tmp_path / "defs.py"
    defs.write_text(DEFS)
    out = cli("schedules", "start", "hourly", home=home, file=defs)
    assert out.returncode == 0, out.stderr
    listed = cli("schedules", "list", "--json", home=home, file=defs)
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["kind"], r["status"]) for r in rows] == [("hourly", "schedule", "RUNNING")]
    assert rows[0]["next_tick"].endswith(":00:00.000+00:00") and rows[0]["last_tick_status"] is None
    assert set(rows[0]) >= {"name", "kind", "status", "next_tick", "last_tick_status", "last_tick_at"}

    dry = cli("sensors", "tick", "numbers", home=home, file=defs)
    assert dry.returncode == 0, dry.stderr
    assert "would launch a_job run_key=n0" in dry.stdout
    launched = cli("sensors", "tick", "numbers", "--launch", "--json", home=home, file=defs)
    result = json.loads(launched.stdout)
    assert result["launched"] and result["tick_status"] == "SUCCESS" and len(result["run_ids"]) == 1
    sensors = json.loads(cli("sensors", "list", "--json", home=home, file=defs).stdout)
    assert sensors[0]["last_tick_status"] == "SUCCESS" and sensors[0]["status"] == "STOPPED"
    assert cli("sensors", "reset-cursor", "numbers", home=home, file=defs).returncode == 0
    again = json.loads(cli("sensors", "tick", "numbers", "--launch", "--json", home=home, file=defs).stdout)
    assert again["tick_status"] == "SKIPPED" and again["run_ids"] == []  # n0 was used already
    bad = cli("sensors", "stop", "nope", home=home, file=defs)
    assert bad.returncode == 2 and "no sensor named 'nope'" in bad.stderr


def test_daemon_command_leads_and_stops_cleanly_on_sigterm(home: Path, tmp_path: Path) -> None:
    defs = tmp_path / "defs.py"
    defs.write_text(DEFS)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DAGDECK_HOME", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagdeck", "-f", str(defs), "--home", str(home), "daemon", "--interval", "0.1"],
        cwd=str(ROOT),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    inst = Instance.open(home, Settings())
    try:
        deadline = time.monotonic() + 60
        while inst.store.get_lease("daemon") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        lease = inst.store.get_lease("daemon")
        assert lease is not None and f":{proc.pid}:" in lease.owner
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "stopped" in err
        assert inst.store.get_lease("daemon") is None  # released: a standby need not wait
    finally:
        if proc.poll() is None:
            proc.kill()
        inst.close()
