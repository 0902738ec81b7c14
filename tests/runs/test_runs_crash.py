"""A worker killed with SIGKILL ends FAILURE with a reason naming the worker, found by the dagdeck
process that watches (the next `runs list`, or the launcher waiting for the run); events it
committed before the crash are kept. How fast is a question for bench/, not for these tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from runs_helpers import (
    RUNS_DEFS,
    get_run,
    is_alive,
    popen_cli,
    run_events,
    session_members,
    wait_file,
    wait_for,
)

from dagdeck.core.instance import Instance
from dagdeck.core.views.runs import run_view

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]


@pytest.fixture
def defs_file(write_defs: WriteDefs) -> Path:
    return write_defs(RUNS_DEFS)


def _wait_committed(home: Path, run_id: str) -> None:
    """The step's start and its log line are in the store before the kill."""
    wait_for(
        lambda: {"STEP_START", "LOG"} <= {e.event_type for e in run_events(home, run_id)},
        timeout=60,
        what="events committed",
    )


def _assert_crash_recorded(home: Path, run_id: str) -> str:
    run = get_run(home, run_id)
    assert run.status == "FAILURE"
    reason = run.failure_reason or ""
    assert "worker" in reason, reason
    logs = run_events(home, run_id, "LOG")
    assert [e.message for e in logs] == ["waiting for the gate"]
    assert len(run_events(home, run_id, "STEP_START")) == 1
    inst = Instance.open(home)
    try:
        steps = {s.key: s.status for s in run_view(inst.store, run).steps}
    finally:
        inst.close()
    assert steps == {"waiter": "failed"}
    return reason


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_kill_9_detected_by_runs_list(executor: str, cli: Cli, defs_file: Path, home: Path) -> None:
    proc = cli("materialize", "--select", "waiter", "--executor", executor, "--detach", home=home, file=defs_file)
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip()
    step_pid = int(wait_file(defs_file.parent / f"waiter.{run_id}", timeout=60))
    _wait_committed(home, run_id)
    worker = get_run(home, run_id).pid
    assert worker
    assert (step_pid != worker) == (executor == "multiprocess")

    step_process = psutil.Process(step_pid)
    assert get_run(home, run_id).status == "STARTED"  # nothing has ended it before the kill
    os.kill(worker, signal.SIGKILL)
    killed_at = time.time()
    listed = cli("runs", "list", "--json", home=home, file=defs_file)  # runs the watcher
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["run_id"] == run_id)
    assert row["status"] == "FAILURE"  # found by this very `runs list`, not by a later watcher
    ended_at = get_run(home, run_id).ended_at
    assert ended_at is not None and ended_at >= killed_at  # ended when the crash was found
    reason = _assert_crash_recorded(home, run_id)
    assert str(worker) in reason
    # nothing of the dead run goes on: a step process would otherwise finish into a FAILED run
    assert not is_alive(step_process), step_pid
    assert session_members(worker) == []


def test_kill_9_detected_by_the_waiting_launcher(defs_file: Path, home: Path) -> None:
    waiting = popen_cli(home, defs_file, "materialize", "--select", "waiter", "--json")
    marker = wait_for(
        lambda: [m for m in defs_file.parent.glob("waiter.*") if not m.name.endswith(".tmp")],
        timeout=120,
        what="waiter to start",
    )[0]
    run_id = marker.name.split(".", 1)[1]
    _wait_committed(home, run_id)
    worker = get_run(home, run_id).pid
    assert worker

    os.kill(worker, signal.SIGKILL)
    # the gate is never opened, so only the launcher noticing the dead worker can end its wait;
    # the timeout only stops a hang
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 1, err
    assert json.loads(out)["status"] == "FAILURE"
    reason = _assert_crash_recorded(home, run_id)
    assert "signal 9" in reason, reason
