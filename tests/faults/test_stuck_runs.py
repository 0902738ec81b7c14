"""Issue 12, failure 1: runs stuck in STARTING for good and a jammed queue; the first bullet of 7:
workers forked from a process that runs threads; and `max_concurrent_runs` -1 (no limit) and 0
(paused). Real CLI processes throughout; the moment between a claim and the fork is made
reproducible by the documented test hook `DAGDECK_TEST_PAUSE_AFTER_CLAIM` (the claimer stops itself
right after its claim commits)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from stuck_helpers import (
    Leftovers,
    all_runs,
    cli_env,
    defs_fixture,  # noqa: F401 - the `defs` fixture
    get_run,
    leftovers_fixture,  # noqa: F401 - the `leftovers` fixture
    marker,
    parent_cmdline,
    popen,
    run,
    show,
    stopped,
    wait_for,
    write_settings,
)

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher, assets_spec
from dagdeck.core.running.worker import PAUSE_AFTER_CLAIM
from dagdeck.core.statuses import FINISHED
from dagdeck.store import Run


def _claim_then_stop(home: Path, defs: Path, leftovers: Leftovers) -> tuple[subprocess.Popen[str], str]:
    """A `--detach` launch whose process stops itself between the claim and the fork."""
    claimer = popen(home, defs, "materialize", "--select", "one", "--detach", **{PAUSE_AFTER_CLAIM: "1"})
    leftovers.add(claimer.pid)
    wait_for("the claimer to stop after its claim", lambda: stopped(claimer.pid))
    (claimed,) = [r for r in all_runs(home) if r.status == "STARTING"]
    assert claimed.pid is None
    assert claimed.claimer_pid == claimer.pid
    return claimer, claimed.run_id


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.communicate(timeout=30)


def test_claimer_killed_between_claim_and_fork_ends_the_run_failure(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 1: kill -9 of the claiming process between claim and fork left the run STARTING with
    no pid for good."""
    claimer, run_id = _claim_then_stop(home, defs, leftovers)
    _kill(claimer)

    data = show(home, defs, run_id)
    assert data["status"] == "FAILURE"
    assert f"claimed it ({claimer.pid}" in data["failure_reason"]
    assert "died before starting its worker" in data["failure_reason"]


def test_cancel_of_a_run_whose_claimer_died_ends_it(defs: Path, home: Path, leftovers: Leftovers) -> None:
    """Failure 1: `runs cancel` of such a run answered CANCELING and stayed there."""
    claimer, run_id = _claim_then_stop(home, defs, leftovers)
    _kill(claimer)

    proc = run(home, defs, "runs", "cancel", run_id, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "CANCELED"
    assert get_run(home, run_id).status == "CANCELED"


def test_a_claim_that_never_gets_its_worker_ends_after_a_few_seconds(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 1: a claim older than a few seconds without a worker is dead even while its claimer
    lives (here it stays stopped)."""
    claimer, run_id = _claim_then_stop(home, defs, leftovers)
    assert show(home, defs, run_id)["status"] == "STARTING"  # young claim, live claimer: wait

    data = wait_for(
        "the stale claim to be judged",
        lambda: (d := show(home, defs, run_id))["status"] != "STARTING" and d,
        poll=1.0,
    )
    assert data["status"] == "FAILURE"
    assert "no worker started within" in data["failure_reason"]
    _kill(claimer)


def test_a_log_dir_that_cannot_be_made_fails_the_runs_at_once(defs: Path, home: Path) -> None:
    """Failure 1: a spawn error (here `logs` is a file) raised a traceback and left the run STARTING;
    now each run ends FAILURE with one line and its slot goes to the next."""
    write_settings(home, max_concurrent_runs=1)
    (home / "logs").write_text("not a directory\n")
    queued = [run(home, defs, "materialize", "--select", "one", "--detach") for _ in range(2)]
    assert all(p.returncode == 0 for p in queued), [p.stderr for p in queued]

    proc = run(home, defs, "materialize", "--select", "one")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    runs = all_runs(home)
    assert len(runs) == 3
    for r in runs:
        assert r.status == "FAILURE", (r.run_id, r.status)
        assert r.failure_reason is not None and "\n" not in r.failure_reason
        assert r.failure_reason.startswith("worker not started: cannot create"), r.failure_reason
        assert str(home / "logs") in r.failure_reason


def test_twenty_queued_runs_behind_a_jammed_slot_all_finish(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 1: with the only slot held by a run whose claimer died, every later run stayed
    QUEUED (19 of 20 in one trial)."""
    write_settings(home, max_concurrent_runs=1)
    claimer, jammed = _claim_then_stop(home, defs, leftovers)
    instance = Instance.open(home)
    try:
        location = CodeLocation(file=str(defs), working_dir=str(defs.parent))
        spec, _ = assets_spec(load(location).defs, location, [AssetKey.from_coercible("one")], trigger="test")
        launcher = Launcher(instance)
        queued = [launcher.submit(spec, start=False).run_id for _ in range(20)]
    finally:
        instance.close()
    _kill(claimer)

    listed = run(home, defs, "runs", "list")  # any reader will do: it judges, then drains
    assert listed.returncode == 0, listed.stderr
    wait_for("all 20 queued runs to finish",
             lambda: all(get_run(home, r).status in FINISHED for r in queued), timeout=180, poll=0.5)
    assert {get_run(home, r).status for r in queued} == {"SUCCESS"}
    assert get_run(home, jammed).status == "FAILURE"


def test_no_limit_and_paused_queue(defs: Path, home: Path, leftovers: Leftovers) -> None:
    """Failure 8 (its settings part): `max_concurrent_runs = -1` means no limit; 0 pauses the queue;
    below -1 is a settings error."""
    write_settings(home, max_concurrent_runs=-1)
    ids = [run(home, defs, "materialize", "--select", "waiter", "--detach").stdout.strip() for _ in range(5)]
    for run_id in ids:
        marker(defs, f"waiter.{run_id}")  # all five run at once
    (defs.parent / "open").write_text("")
    wait_for("the five runs to succeed", lambda: all(get_run(home, r).status == "SUCCESS" for r in ids))

    write_settings(home, max_concurrent_runs=0)
    paused = run(home, defs, "materialize", "--select", "one", "--detach").stdout.strip()
    assert show(home, defs, paused)["status"] == "QUEUED"

    write_settings(home, max_concurrent_runs=-2)
    bad = run(home, defs, "runs", "list")
    assert bad.returncode == 2
    assert "max_concurrent_runs" in bad.stderr and "Traceback" not in bad.stderr


_THREADED_LAUNCH = """
import sys, threading
from dagdeck.core.defs import loader
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher, assets_spec

location = CodeLocation(file=sys.argv[2])
spec, _ = assets_spec(load(location).defs, location, [AssetKey.from_coercible("one")], trigger="test")
held = threading.Event()

def hold_the_loader_lock():
    with loader._import_lock:  # as a console thread reloading definitions would
        held.set()
        threading.Event().wait()

threading.Thread(target=hold_the_loader_lock, daemon=True).start()
held.wait()
launcher = Launcher(Instance.open(sys.argv[1]))
run = launcher.submit(spec)
print(launcher.wait(run.run_id, timeout=float(sys.argv[3])).status)
"""


def test_workers_start_from_the_worker_server_even_when_the_launcher_runs_threads(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 7, first bullet: a worker forked from a launcher whose other thread held a lock (here
    the definitions loader's, as a console reload would) inherited it held and hung in its load for
    good. Now the worker comes from a server started by exec, so the run succeeds."""
    proc = subprocess.run(
        [sys.executable, "-c", _THREADED_LAUNCH, str(home), str(defs), "60"],
        capture_output=True, text=True, timeout=120, env=cli_env(), cwd=str(defs.parent),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "SUCCESS", (proc.stdout, proc.stderr)


def test_a_worker_outlives_its_launcher_in_its_own_session(
    defs: Path, home: Path, leftovers: Leftovers
) -> None:
    """Failure 7, first bullet: the worker comes from the worker server (forked while the CLI had one
    thread), in a session of its own, and runs on after the launching CLI has exited."""
    proc = run(home, defs, "materialize", "--select", "waiter", "--detach")
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip()
    worker = leftovers.add(int(marker(defs, f"waiter.{run_id}")))
    assert os.getsid(worker) == worker
    assert parent_cmdline(worker) == "dagdeck worker server"
    (defs.parent / "open").write_text("")
    wait_for("the run to succeed", lambda: get_run(home, run_id).status == "SUCCESS")


def test_claims_without_a_limit_come_in_batches(instance: Instance) -> None:
    """Failures 1 and 8: `max_concurrent_runs = -1` claims every queued run (0 none), a batch per
    transaction, so each claim's time stays close to its worker's start (an old claim is dead)."""
    for i in range(20):
        instance.store.add_run(Run(run_id=f"r{i:02d}", job_name="j", status="QUEUED", created_at=float(i)))
    assert instance.store.claim_queued_runs(0, ["STARTING"]) == []
    first = instance.store.claim_queued_runs(-1, ["STARTING"], batch=16, claim_fields={"claimer_pid": 7})
    assert [r.run_id for r in first] == [f"r{i:02d}" for i in range(16)]
    assert {r.claimer_pid for r in first} == {7}
    rest = instance.store.claim_queued_runs(-1, ["STARTING"])
    assert [r.run_id for r in rest] == [f"r{i:02d}" for i in range(16, 20)]
