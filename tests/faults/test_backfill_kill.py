"""Issue 16: a backfill of 60 daily partitions with `max_concurrent_runs = 4`, its daemon killed with
SIGKILL halfway, then a new daemon: every partition runs exactly once, none is lost, and never more
than 4 runs run at once.

Each run of the asset leaves a marker file `<partition>.<run id>` so the test counts executions, not
only run records. Waits are conditions, never wall-clock bounds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psutil

from dagdeck.core.running.worker import PAUSE_AFTER_CLAIM
from dagdeck.core.statuses import BackfillStatus, RunStatus
from dagdeck.store import Store
from tests.conftest import ROOT
from tests.faults.automation_helpers import (
    daemon_process,
    free_dead_lease,
    kill_hard,
    start_daemon,
    wait_for,
)

DEFS = """
import time
from pathlib import Path
import dagdeck as dg

OUT = Path({out!r})

@dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01"))
def orders(context):
    key = context.partition_key
    (OUT / f"{{key}}.{{context.run_id}}").write_text(key)
    time.sleep(0.2)
    return key

defs = dg.Definitions(assets=[orders])
"""


def _cli(defs: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dagdeck", "-f", str(defs), "--home", str(home), *args],
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        timeout=300,
    )


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    edges = sorted(
        [(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda x: (x[0], x[1])
    )
    best = now = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def test_backfill_survives_daemon_kill(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagdeck.toml").write_text("max_concurrent_runs = 4\n")
    defs = tmp_path / "defs.py"
    defs.write_text(DEFS.format(out=str(out)))
    log = tmp_path / "daemon.log"

    launched = _cli(defs, home, "backfill", "launch", "--select", "orders", "--all", "--json")
    assert launched.returncode == 0, launched.stderr
    doc = json.loads(launched.stdout)
    backfill_id = doc["backfill_id"]
    assert doc["status"] == BackfillStatus.REQUESTED
    assert doc["partitions_total"] == 60

    store = Store.sqlite(home / "dagdeck.db")
    try:
        first = start_daemon(defs, home, log)
        try:
            # halfway: some partitions done, the rest not even launched
            wait_for("half the partitions to run", lambda: len(list(out.iterdir())) >= 30, log)
        finally:
            kill_hard(first)
        free_dead_lease(store)
        at_kill = {p.name for p in out.iterdir()}
        assert len(at_kill) < 60, "the daemon was killed too late to test resuming"
        launched_at_kill = len(store.backfill_runs(backfill_id))
        assert launched_at_kill < 60, "every run was launched before the kill: nothing left to resume"

        with daemon_process(defs, home, log):
            backfill = wait_for(
                "the backfill to end",
                lambda: (
                    (b := store.get_backfill(backfill_id)) is not None
                    and b.status not in (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS)
                    and b
                ),
                log,
                timeout=600,
            )
        assert backfill.status == BackfillStatus.COMPLETED, backfill.failure_reason

        runs = [store.get_run(run_id) for _chunk, run_id, _status in store.backfill_runs(backfill_id)]
        assert len(runs) == 60
        assert all(r is not None and r.status == RunStatus.SUCCESS for r in runs)
        by_partition = Counter(r.tags["dagster/partition"] for r in runs if r is not None)
        assert len(by_partition) == 60 and set(by_partition.values()) == {1}
        assert {r.tags["dagster/backfill"] for r in runs if r is not None} == {backfill_id}

        executions = Counter(p.name.split(".")[0] for p in out.iterdir())
        assert len(executions) == 60, "a partition was lost"
        assert set(executions.values()) == {1}, (
            f"partitions run twice: {[k for k, n in executions.items() if n > 1]}"
        )
        assert at_kill <= {p.name for p in out.iterdir()}

        spans = [(r.started_at, r.ended_at) for r in runs if r is not None and r.started_at and r.ended_at]
        assert len(spans) == 60
        assert _max_overlap(spans) <= 4

        shown = _cli(defs, home, "backfill", "show", backfill_id, "--json")
        assert shown.returncode == 0, shown.stderr
        view = json.loads(shown.stdout)
        assert set(view["partitions"].values()) == {"materialized"}
        assert len(view["run_ids"]) == 60 and view["ended_at"] is not None
    finally:
        store.close()


def _stopped(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_STOPPED
    except psutil.NoSuchProcess:
        return False


def test_runs_claimed_by_the_killed_daemon_are_relaunched(tmp_path: Path) -> None:
    """The daemon stops itself right after claiming queued runs, before starting their workers
    (the `DAGDECK_TEST_PAUSE_AFTER_CLAIM` hook), and is killed there: those runs end FAILURE
    without a start, and the next daemon gives their partitions new runs. Each partition still
    runs exactly once."""
    out = tmp_path / "out"
    out.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagdeck.toml").write_text("max_concurrent_runs = 2\n")
    defs = tmp_path / "defs.py"
    defs.write_text(DEFS.format(out=str(out)).replace('end_date="2024-03-01"', 'end_date="2024-01-07"'))
    log = tmp_path / "daemon.log"
    backfill_id = _json_id(_cli(defs, home, "backfill", "launch", "--select", "orders", "--all", "--json"))

    env = {**os.environ, "NO_COLOR": "1", PAUSE_AFTER_CLAIM: "1"}
    env.pop("DAGDECK_HOME", None)
    with open(log, "ab") as sink:
        first = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dagdeck",
                "-f",
                str(defs),
                "--home",
                str(home),
                "daemon",
                "--interval",
                "0.05",
            ],
            cwd=str(ROOT),
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    store = Store.sqlite(home / "dagdeck.db")
    try:
        try:
            wait_for("the daemon to stop after its claim", lambda: _stopped(first.pid), log)
        finally:
            kill_hard(first)
        free_dead_lease(store)
        claimed = [r for r in (store.get_run(i) for _c, i, _s in store.backfill_runs(backfill_id)) if r]
        orphans = {r.run_id for r in claimed if r.status == RunStatus.STARTING and r.claimer_pid == first.pid}
        assert orphans, "the daemon claimed none of the backfill's runs before stopping"

        with daemon_process(defs, home, log):
            backfill = wait_for(
                "the backfill to end",
                lambda: (
                    (b := store.get_backfill(backfill_id)) is not None
                    and b.status not in (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS)
                    and b
                ),
                log,
            )
        assert backfill.status == BackfillStatus.COMPLETED, backfill.failure_reason
        for run_id in orphans:
            orphan = store.get_run(run_id)
            assert orphan is not None and orphan.status == RunStatus.FAILURE and orphan.started_at is None
        current = {i for _c, i, _s in store.backfill_runs(backfill_id)}
        assert not orphans & current
        assert len(current) == 6
        executions = Counter(p.name.split(".")[0] for p in out.iterdir())
        assert len(executions) == 6 and set(executions.values()) == {1}
    finally:
        store.close()


def _json_id(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    return str(json.loads(proc.stdout)["backfill_id"])
