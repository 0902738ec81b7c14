"""Issue 12, failure 2 (and the last sentence of 4): every read of an unfinished run judges its
worker, ends the run FAILURE with the reason and stops what is left of its processes, including a
child a step moved to its own session and children a successful run left behind; a worker whose
heartbeat is stale is dead on its own host too. Nothing else (no daemon, console or `runs list`)
runs while these tests read, so only the read itself can notice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from stuck_helpers import (
    Leftovers,
    alive,
    cli_env,
    defs_fixture,  # noqa: F401 - the `defs` fixture
    get_run,
    leftovers_fixture,  # noqa: F401 - the `leftovers` fixture
    marker,
    popen,
    run,
    show,
    stopped,
    wait_for,
    write_settings,
)


def _detach(home: Path, defs: Path, select: str) -> str:
    proc = run(home, defs, "materialize", "--select", select, "--detach")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _worker(home: Path, run_id: str, leftovers: Leftovers) -> int:
    pid = wait_for("the worker's pid", lambda: get_run(home, run_id).pid)
    return leftovers.add(pid)


def test_runs_show_after_kill_9_says_failure_and_the_sleep_child_is_gone(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 2: after a kill -9 of the worker, `runs show` said STARTED 80 s later and the step's
    `sleep` child kept running."""
    run_id = _detach(home, defs, "shell")
    child = leftovers.add(int(marker(defs, f"shell.{run_id}")))
    worker = _worker(home, run_id, leftovers)
    os.kill(worker, signal.SIGKILL)

    data = show(home, defs, run_id)
    assert data["status"] == "FAILURE"
    assert f"worker process {worker} died" in data["failure_reason"]
    assert [s["status"] for s in data["steps"]] == ["failed"]
    wait_for(f"the step's sleep child {child} to be gone", lambda: not alive(child))


def test_logs_follow_returns_when_the_worker_is_killed(defs: Path, home: Path, leftovers: Leftovers) -> None:
    """Failure 2: `runs logs --follow` followed a dead run for ever."""
    run_id = _detach(home, defs, "waiter")
    marker(defs, f"waiter.{run_id}")
    worker = _worker(home, run_id, leftovers)
    follow = popen(home, defs, "runs", "logs", run_id, "--follow")
    leftovers.add(follow.pid)
    os.kill(worker, signal.SIGKILL)

    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    assert "Traceback" not in err
    assert get_run(home, run_id).status == "FAILURE"


_CONSOLE_READ = """
import sys
from dagdeck.core.console_api import CodeLocation, ConsoleAPI, Instance
api = ConsoleAPI(Instance.open(sys.argv[1]), CodeLocation(file=sys.argv[2]))
view = api.run_view(sys.argv[3])
print(view.run.status, view.run.failure_reason, sep="|")
"""


def test_console_reads_and_a_detached_launch_judge_dead_workers(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 2: a readonly console (it reads through ConsoleAPI and never calls `watch`) and a
    `--detach` launch did not notice a dead worker."""
    first = _detach(home, defs, "waiter")
    second = _detach(home, defs, "waiter")
    for run_id in (first, second):
        marker(defs, f"waiter.{run_id}")
    workers = [_worker(home, run_id, leftovers) for run_id in (first, second)]
    for pid in workers:
        os.kill(pid, signal.SIGKILL)

    read = subprocess.run(
        [sys.executable, "-c", _CONSOLE_READ, str(home), str(defs), first],
        capture_output=True, text=True, timeout=120, env=cli_env(),
    )
    assert read.returncode == 0, read.stderr
    status, reason = read.stdout.strip().split("|", 1)
    assert status == "FAILURE", read.stdout
    assert f"worker process {workers[0]} died" in reason

    third = _detach(home, defs, "one")  # judges every active run before it drains the queue
    assert get_run(home, second).status == "FAILURE"
    wait_for("the new run to succeed", lambda: get_run(home, third).status == "SUCCESS")


def test_a_setsid_child_is_stopped_when_its_worker_dies(defs: Path, home: Path, leftovers: Leftovers) -> None:
    """Failure 2: a child a step started in a session of its own survived the killed worker; the
    worker records it, and the read that finds the worker dead stops it."""
    run_id = _detach(home, defs, "escaper")
    child = leftovers.add(int(marker(defs, f"escaper.{run_id}")))
    assert os.getsid(child) == child
    worker = _worker(home, run_id, leftovers)
    wait_for("the worker to record its escaped child",
             lambda: any(int(p) == child for p, _ in get_run(home, run_id).processes or []))
    os.kill(worker, signal.SIGKILL)

    assert show(home, defs, run_id)["status"] == "FAILURE"
    wait_for(f"the setsid child {child} to be gone", lambda: not alive(child))


def test_children_left_after_a_successful_run_are_stopped(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 2: processes a step started and left running (in the worker's session, and in one of
    their own) outlived a successful run."""
    proc = run(home, defs, "materialize", "--select", "leaver", "--json")
    assert proc.returncode == 0, proc.stderr
    run_id = json.loads(proc.stdout)["run_id"]
    stay, away = (leftovers.add(int(p)) for p in marker(defs, f"leaver.{run_id}").split())
    assert get_run(home, run_id).status == "SUCCESS"
    wait_for("both leftover children to be stopped", lambda: not alive(stay) and not alive(away))


def test_keep_orphan_processes_keeps_them(defs: Path, home: Path, leftovers: Leftovers) -> None:
    """The setting that opts out of failure 2's clean-up: leftovers of a successful run stay."""
    write_settings(home, keep_orphan_processes=True)
    proc = run(home, defs, "materialize", "--select", "leaver", "--json")
    assert proc.returncode == 0, proc.stderr
    run_id = json.loads(proc.stdout)["run_id"]
    stay, away = (leftovers.add(int(p)) for p in marker(defs, f"leaver.{run_id}").split())
    worker = get_run(home, run_id).pid
    assert worker is not None
    wait_for("the worker to exit", lambda: not alive(worker))
    assert alive(stay) and alive(away)


def test_a_hung_worker_with_a_stale_heartbeat_is_judged_dead_on_its_own_host(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 4, last sentence: a worker that hangs (SIGSTOP: its pid lives, its heartbeat stops)
    was never judged on its own host; it is killed and the run ends FAILURE."""
    write_settings(home, heartbeat_seconds=0.2, stale_heartbeat_seconds=2.0)
    run_id = _detach(home, defs, "waiter")
    marker(defs, f"waiter.{run_id}")
    worker = _worker(home, run_id, leftovers)
    os.kill(worker, signal.SIGSTOP)
    wait_for("the worker to stop", lambda: stopped(worker))

    data = wait_for("runs show to judge the hung worker",
                    lambda: (d := show(home, defs, run_id))["status"] == "FAILURE" and d, poll=0.5)
    assert "no heartbeat" in data["failure_reason"], data["failure_reason"]
    wait_for(f"the hung worker {worker} to be killed", lambda: not alive(worker))
