"""Runs execute in worker processes: one per run, in its own session; executors; --detach; SIGHUP."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import socket
import subprocess
import textwrap
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
    wait_file,
    wait_for,
    wait_status,
)

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]


@pytest.fixture
def defs_file(write_defs: WriteDefs) -> Path:
    return write_defs(RUNS_DEFS)


def read_pids(path: Path) -> tuple[int, int, int]:
    """(pid, parent pid, session id) a step wrote."""
    pid, ppid, sid = (int(x) for x in path.read_text().split())
    return pid, ppid, sid


def test_each_run_executes_in_its_own_worker_process(defs_file: Path, home: Path) -> None:
    proc = popen_cli(home, defs_file, "materialize", "--select", "pid_a", "--json")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    run_id = json.loads(out)["run_id"]
    run = get_run(home, run_id)

    step_pid, step_ppid, step_sid = read_pids(defs_file.parent / "pid_a")
    assert run.pid == step_pid != proc.pid  # user code ran in the worker, not in the CLI
    assert step_ppid != proc.pid  # forked by the worker server, not by the CLI that launched it
    assert step_sid == step_pid  # in a session of its own
    assert run.trigger == "cli"
    assert run.host == socket.gethostname()
    assert run.heartbeat_at is not None
    (start,) = run_events(home, run_id, "RUN_START")
    assert start.data["pid"] == step_pid
    assert [e.event_type for e in run_events(home, run_id) if e.event_type.startswith("RUN_")] == [
        "RUN_ENQUEUED",
        "RUN_STARTING",
        "RUN_START",
        "RUN_SUCCESS",
    ]


def test_detach_returns_at_once_with_the_run_id(cli: Cli, defs_file: Path, home: Path) -> None:
    proc = cli("materialize", "--select", "waiter", "--detach", home=home, file=defs_file)
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", run_id), proc.stdout
    # the step waits for a gate nobody opened yet, so the CLI cannot have waited for the run
    assert get_run(home, run_id).status in ("QUEUED", "STARTING", "STARTED")

    wait_file(defs_file.parent / f"waiter.{run_id}")
    (defs_file.parent / "open").write_text("")
    assert wait_status(home, run_id, ["SUCCESS", "FAILURE", "CANCELED"], timeout=120).status == "SUCCESS"


def test_multiprocess_executor_from_the_cli_runs_each_step_in_its_own_process(
    cli: Cli, defs_file: Path, home: Path
) -> None:
    proc = cli(
        "materialize", "--select", "pid_a pid_b pid_c", "--executor", "multiprocess", "--json", home=home, file=defs_file
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {s["key"]: s["status"] for s in doc["steps"]} == {"pid_a": "succeeded", "pid_b": "succeeded", "pid_c": "succeeded"}
    worker = get_run(home, doc["run_id"]).pid
    pids = {name: read_pids(defs_file.parent / name) for name in ("pid_a", "pid_b", "pid_c")}
    step_pids = {p[0] for p in pids.values()}
    assert len(step_pids) == 3 and worker not in step_pids
    assert all(ppid == worker for _, ppid, _ in pids.values())
    # values crossed process boundaries through the IO manager
    assert pickle.loads((home / "storage" / "pid_c").read_bytes()) == 3


def test_job_executor_limits_concurrent_step_processes(cli: Cli, defs_file: Path, home: Path) -> None:
    proc = cli("job", "run", "windows_mp", "--json", home=home, file=defs_file)
    assert proc.returncode == 0, proc.stderr
    worker = get_run(home, json.loads(proc.stdout)["run_id"]).pid
    intervals = []
    pids = set()
    for name in ("window_1", "window_2", "window_3"):
        start, pid = (defs_file.parent / name).read_text().split()
        end = float((defs_file.parent / f"{name}.end").read_text())
        intervals.append((float(start), end))
        pids.add(int(pid))
    assert len(pids) == 3 and worker not in pids

    def running_at(t: float) -> int:
        return sum(1 for s, e in intervals if s <= t < e)

    peak = max(running_at(s) for s, _ in intervals)
    assert peak == 2, intervals  # max_concurrent=2: two at once (each waits for another), never three


def test_definitions_level_executor(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(
        textwrap.dedent(RUNS_DEFS).replace(
            "\ndefs = dg.Definitions(\n", "\ndefs = dg.Definitions(\n    executor=dg.multiprocess_executor,\n"
        ),
        "mp_defs.py",
    )
    proc = cli("materialize", "--select", "pid_a pid_b", "--json", home=home, file=path)
    assert proc.returncode == 0, proc.stderr
    worker = get_run(home, json.loads(proc.stdout)["run_id"]).pid
    a, b = read_pids(path.parent / "pid_a"), read_pids(path.parent / "pid_b")
    assert a[0] != b[0] and worker not in (a[0], b[0])
    assert a[1] == b[1] == worker


def test_run_survives_sighup_to_the_launching_process(defs_file: Path, home: Path) -> None:
    launcher = popen_cli(home, defs_file, "materialize", "--select", "waiter", start_new_session=True)
    marker = wait_for(
        lambda: [m for m in defs_file.parent.glob("waiter.*") if not m.name.endswith(".tmp")],  # written, then renamed
        timeout=120,
        what="waiter to start",
    )[0]
    run_id = marker.name.split(".", 1)[1]
    worker = get_run(home, run_id).pid
    assert worker is not None

    os.killpg(launcher.pid, signal.SIGHUP)  # the terminal of the launching shell went away
    launcher.communicate(timeout=60)
    assert launcher.returncode == -signal.SIGHUP

    assert is_alive(psutil.Process(worker))
    assert get_run(home, run_id).status == "STARTED"
    (defs_file.parent / "open").write_text("")
    assert wait_status(home, run_id, ["SUCCESS", "FAILURE", "CANCELED"], timeout=120).status == "SUCCESS"
