"""Cancel really stops work: runs end CANCELED (never FAILURE), the running step `canceled`,
unstarted steps `skipped`, and no process of the run is left alive. The steps sleep for 600 s, spin
forever or wait on a `sleep 600` child, so a run can only end if its cancel stopped them; how fast
(within the grace period) is a question for bench/, and the timeouts here only stop a hang."""

from __future__ import annotations

import subprocess
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
    run_tree,
    session_members,
    wait_file,
    wait_for,
    wait_status,
    write_settings,
)

from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.views.runs import run_view

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]
GRACE = 2.0
PATIENCE = 120.0  # how long a wait may take before the test gives up: stops a hang, asserts nothing
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


@pytest.fixture
def defs_file(write_defs: WriteDefs, home: Path) -> Path:
    write_settings(home, cancel_grace_seconds=GRACE)
    return write_defs(RUNS_DEFS)


def _run_with_step(home: Path, step: str) -> str:
    inst = Instance.open(home)
    try:
        runs = [r for r in inst.store.list_runs(limit=50) if step in (r.plan or {}).get("steps", [])]
    finally:
        inst.close()
    assert len(runs) == 1, runs
    return runs[0].run_id


def _sleep_child(worker_pid: int) -> psutil.Process | None:
    for p in run_tree(worker_pid):
        try:
            if p.cmdline() == ["sleep", "600"]:
                return p
        except psutil.Error:
            continue
    return None


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_cancel_sleeping_spinning_and_subprocess_steps(executor: str, defs_file: Path, home: Path) -> None:
    here = defs_file.parent
    detached = {
        kind: popen_cli(home, defs_file, "materialize", "--select", f"{kind} after_{kind}", "--executor", executor, "--detach")
        for kind in ("sleeper", "spinner")
    }
    # the third run is launched by a process that waits for it, like a user at a terminal
    waiting = popen_cli(home, defs_file, "materialize", "--select", "shell after_shell", "--executor", executor)

    run_ids: dict[str, str] = {}
    for kind, proc in detached.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        run_ids[kind] = out.strip()
    for kind in ("sleeper", "spinner", "shell"):
        wait_file(here / f"{kind}.started", timeout=60)
    run_ids["shell"] = _run_with_step(home, "shell")
    workers = {kind: get_run(home, rid).pid for kind, rid in run_ids.items()}
    assert all(workers.values()), workers
    wait_for(lambda: _sleep_child(workers["shell"]), timeout=PATIENCE, what="the `sleep 600` child")

    processes = {kind: run_tree(pid) for kind, pid in workers.items()}
    if executor == "multiprocess":
        for kind, procs in processes.items():
            assert len(procs) >= 2, (kind, procs)  # worker + step process (+ sleep)
    assert len(processes["shell"]) >= 2

    inst = Instance.open(home)
    try:
        # the console's path (the CLI's `runs cancel` is covered below): any process may ask
        launcher = Launcher(inst)
        for kind, rid in run_ids.items():
            assert launcher.cancel(rid) == "CANCELING", kind
        for kind, rid in run_ids.items():
            run = wait_status(home, rid, FINISHED, timeout=PATIENCE)
            assert run.status == "CANCELED", (kind, run.status, run.failure_reason)
            (canceling,) = run_events(home, rid, "RUN_CANCELING")
            assert run.ended_at is not None and run.ended_at >= canceling.timestamp, kind  # ended by the cancel
            assert run_events(home, rid, "RUN_FAILURE") == []

            steps = {s.key: s.status for s in run_view(inst.store, run).steps}
            assert steps == {kind: "canceled", f"after_{kind}": "skipped"}, (kind, steps)

            wait_for(
                lambda procs=processes[kind]: not any(is_alive(p) for p in procs),
                timeout=PATIENCE,
                what=f"every process of the {kind} run to exit",
            )
            assert session_members(workers[kind]) == [], kind
    finally:
        inst.close()

    out, err = waiting.communicate(timeout=PATIENCE)
    assert waiting.returncode == 1, (out, err)
    assert "CANCELED" in out


def test_cancel_queued_run_at_once_and_concurrent_cancels_are_harmless(defs_file: Path, home: Path) -> None:
    write_settings(home, cancel_grace_seconds=GRACE, max_concurrent_runs=1)
    first = popen_cli(home, defs_file, "materialize", "--select", "waiter", "--detach")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    running = out.strip()
    wait_file(defs_file.parent / f"waiter.{running}", timeout=60)

    second = popen_cli(home, defs_file, "materialize", "--select", "one_second", "--detach")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    queued = out.strip()
    assert get_run(home, queued).status == "QUEUED"  # the only slot is taken

    # two processes cancel each run at the same moment
    procs = [popen_cli(home, defs_file, "runs", "cancel", rid) for rid in (queued, queued, running, running)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results

    q = get_run(home, queued)
    assert q.status == "CANCELED" and q.ended_at is not None  # at once: no worker involved
    q_types = [e.event_type for e in run_events(home, queued)]
    assert q_types == ["RUN_ENQUEUED", "RUN_CANCELED"]

    r = wait_status(home, running, FINISHED, timeout=PATIENCE)
    assert r.status == "CANCELED"
    types = [e.event_type for e in run_events(home, running) if e.event_type.startswith("RUN_")]
    assert types.count("RUN_CANCELING") == 1 and types.count("RUN_CANCELED") == 1, types
    assert "RUN_FAILURE" not in types and "RUN_SUCCESS" not in types

    again = popen_cli(home, defs_file, "runs", "cancel", running)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0 and "already CANCELED" in out, (out, err)
    # the slot the canceled run freed was handed on by now: it must not revive the canceled queued run
    assert get_run(home, queued).status == "CANCELED"
    assert run_events(home, queued, "RUN_START") == []
