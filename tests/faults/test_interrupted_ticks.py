"""Issue 12, failures 5 and 8 (automation part): a real `dagdeck daemon` killed with SIGKILL in the
middle of submitting a tick's runs, and a failing sensor evaluated again and again.

The kill moment is made reproducible by the `DAGDECK_TEST_TICK_HOLD_AFTER=N` hook: once a tick has
submitted at least N runs, the submitting thread logs a line and stops, and the test kills the
process then. Every run stays QUEUED (`max_concurrent_runs = 0`), so no worker ever starts.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dagdeck.core.instance import Instance
from dagdeck.core.settings import Settings
from dagdeck.store import Store, Tick
from tests.faults.automation_helpers import (
    PRELUDE,
    daemon_process,
    free_dead_lease,
    kill_hard,
    log_tail,
    start_daemon,
    wait_for,
    write_home,
)

MANY = PRELUDE + """
@dg.sensor(job=a_job, minimum_interval_seconds=0.2, default_status=dg.DefaultSensorStatus.RUNNING)
def many(context):
    if context.cursor == "all":
        return dg.SkipReason("everything was requested")
    context.update_cursor("all")
    return [dg.RunRequest(run_key=f"k{i}") for i in range(500)]

defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[many])
"""

BURST = PRELUDE + """
@dg.schedule("* * * * *", job=a_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def burst(context):
    return [dg.RunRequest(run_key=f"r{i}") for i in range(200)]

defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[burst])
"""

FAILING = PRELUDE + """
@dg.sensor(job=a_job, minimum_interval_seconds=0.05, default_status=dg.DefaultSensorStatus.RUNNING)
def broken(context):
    raise ValueError("upstream API is down")

defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[broken])
"""

HOLDING = re.compile(r"holding tick (\d+) after (\d+) run")
REPEATS = re.compile(r"^same error (\d+) times")


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    """A home whose queue holds every run (no workers), as the daemons see it too."""
    write_home(tmp_path / "home")
    inst = Instance.open(tmp_path / "home", Settings(max_concurrent_runs=0))
    yield inst
    inst.close()


def _held(log: Path) -> tuple[int, int] | None:
    """(tick id, runs submitted) once the hook holds the submission."""
    match = HOLDING.search(log.read_text(errors="replace")) if log.exists() else None
    return (int(match[1]), int(match[2])) if match else None


def _tick(store: Store, name: str, tick_id: int) -> Tick:
    return next(t for t in store.list_ticks(name, limit=1000) if t.id == tick_id)


def _kill_mid_submission(defs: Path, instance: Instance, log: Path, name: str, hold_after: int) -> Tick:
    """Start a daemon with the hook, kill it -9 while it holds, and return the interrupted tick."""
    proc = start_daemon(defs, instance.home, log, hold_after=hold_after)
    try:
        tick_id, submitted = wait_for("the hook to hold the submission", lambda: _held(log), log)
    finally:
        kill_hard(proc)
    tick = _tick(instance.store, name, tick_id)
    assert tick.status == "STARTED"
    assert instance.store.count_runs() == submitted >= hold_after
    assert len(tick.run_ids) == submitted  # the tick lists every run it created so far
    free_dead_lease(instance.store)
    return tick


def test_sensor_tick_killed_mid_submission_is_resumed_exactly(instance: Instance, tmp_path: Path) -> None:
    """Failure 5: a sensor returned 500 keyed run requests and the daemon was killed while
    submitting them; the next leader must submit exactly the requests not yet submitted."""
    defs = tmp_path / "defs.py"
    defs.write_text(MANY)
    log = tmp_path / "daemon.log"
    interrupted = _kill_mid_submission(defs, instance, log, "many", hold_after=8)
    assert instance.store.count_runs() < 500
    state = instance.store.get_instigator("many")
    assert state is not None and state.cursor is None  # the cursor moves only with the finished tick

    with daemon_process(defs, instance.home, log):
        wait_for("the interrupted tick to end", lambda: _tick(instance.store, "many", interrupted.id or 0).status != "STARTED", log)
    resumed = _tick(instance.store, "many", interrupted.id or 0)
    runs = instance.store.list_runs(limit=10_000)
    keys = Counter(r.tags.get("dagdeck/run_key") for r in runs)
    assert resumed.status == "SUCCESS", (resumed, log_tail(log))
    assert len(runs) == 500 and set(keys) == {f"k{i}" for i in range(500)} and max(keys.values()) == 1
    assert sorted(resumed.run_ids) == sorted(r.run_id for r in runs)
    assert {r.status for r in runs} == {"QUEUED"}
    state = instance.store.get_instigator("many")
    assert state is not None and state.cursor == "all"


def test_schedule_tick_killed_mid_submission_is_resumed_exactly(instance: Instance, tmp_path: Path) -> None:
    """Failure 5, for schedules: a schedule tick of 200 keyed requests interrupted by kill -9 is
    finished by the next leader (the same tick row, the same scheduled time), each key once."""
    defs = tmp_path / "defs.py"
    defs.write_text(BURST)
    log = tmp_path / "daemon.log"
    # switched on two minutes ago: the latest minute is due at once
    instance.store.upsert_instigator("burst", "schedule", status="RUNNING", now=time.time() - 120)
    interrupted = _kill_mid_submission(defs, instance, log, "burst", hold_after=10)
    assert interrupted.scheduled_at is not None
    when = _scheduled_iso(interrupted.scheduled_at)

    with daemon_process(defs, instance.home, log):
        wait_for("the interrupted tick to end", lambda: _tick(instance.store, "burst", interrupted.id or 0).status != "STARTED", log)
    resumed = _tick(instance.store, "burst", interrupted.id or 0)
    assert resumed.status == "SUCCESS", (resumed, log_tail(log))
    runs = instance.store.list_runs(limit=10_000)
    keys = Counter(r.tags.get("dagdeck/run_key") for r in runs)
    assert max(keys.values()) == 1  # no key twice, whichever minutes fired
    of_tick = [r for r in runs if r.run_id in set(resumed.run_ids)]
    assert len(of_tick) == len(resumed.run_ids) == 200
    assert {r.tags["dagdeck/scheduled_time"] for r in of_tick} == {when}
    assert {r.tags["dagdeck/run_key"] for r in of_tick} == {f"burst:{when}:r{i}" for i in range(200)}
    ticks_for_minute = [t for t in instance.store.list_ticks("burst", limit=100) if t.scheduled_at == interrupted.scheduled_at]
    assert [t.id for t in ticks_for_minute] == [interrupted.id]  # resumed in place, not a second row


def _scheduled_iso(ts: float) -> str:
    """The scheduled time as run keys and tags spell it (UTC schedule: +00:00, whole seconds)."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


def _evaluations(ticks: list[Tick]) -> int:
    """Evaluations behind the rows: a collapsed failure counts its repeats."""
    total = 0
    for t in ticks:
        match = REPEATS.match(t.skip_reason or "") if t.status == "FAILURE" else None
        total += int(match[1]) if match else 1
    return total


def test_failing_sensor_collapses_into_one_tick_row(instance: Instance, tmp_path: Path) -> None:
    """Failure 8 (automation sentence): a failing sensor added a tick row every second (74 in 75 s);
    repeated identical failures must collapse into one row with a count and the last time."""
    defs = tmp_path / "defs.py"
    defs.write_text(FAILING)
    log = tmp_path / "daemon.log"
    with daemon_process(defs, instance.home, log):
        wait_for(
            "20 evaluations of the failing sensor", lambda: _evaluations(instance.store.list_ticks("broken", limit=1000)) >= 20, log
        )
    ticks = instance.store.list_ticks("broken", limit=1000)
    assert len(ticks) == 1, [(t.status, t.skip_reason) for t in ticks[:5]]
    tick = ticks[0]
    assert tick.status == "FAILURE" and "ValueError: upstream API is down" in (tick.error or "")
    match = REPEATS.match(tick.skip_reason or "")
    assert match is not None and int(match[1]) >= 20
