"""Interrupted ticks are resumed, and repeated failures collapse, on the simulated clock.

A daemon "killed" mid-submission is simulated in-process: its store raises `Killed` (a
BaseException, which the daemon loop does not catch) after the first submission batch, and a second
daemon on its own connections takes over once the lease expires. tests/faults/test_interrupted_ticks.py
does the same with real processes and SIGKILL.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.automation.tick_records import SUBMIT_BATCH, failure_repeats
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.views.automation import set_running
from dagdeck.store import Store
from tests.automation.conftest import WAIT, SimClock, at, runs_of


class Killed(BaseException):
    """The daemon dies here."""


def kill_after_batches(store: Store, batches: int) -> None:
    """Make `store.submit_tick_runs` die after `batches` successful calls."""
    real = store.submit_tick_runs
    calls = [0]

    def submit(*args: Any, **kwargs: Any) -> tuple[list[str], list[str]]:
        if calls[0] >= batches:
            raise Killed
        calls[0] += 1
        return real(*args, **kwargs)

    store.submit_tick_runs = submit  # type: ignore[method-assign]


MIXED = """
@dg.sensor(job=a_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def mixed(context):
    if context.cursor == "done":
        return dg.SkipReason("done")
    if context.cursor is None:
        context.update_cursor("first")
        return dg.RunRequest(run_key="early")
    context.update_cursor("done")
    return (
        [dg.RunRequest(run_key=f"k{i}") for i in range(120)]
        + [dg.RunRequest(tags={"n": str(i)}) for i in range(30)]
        + [dg.RunRequest(run_key="early")]
    )

defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[mixed])
"""


def test_sensor_tick_interrupted_mid_submission_is_finished_by_the_next_leader(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(MIXED)
    d = daemons(loaded, owner_id="a")
    d.run_once(wait=WAIT)
    clock.advance(30)
    kill_after_batches(d.store, 1)
    with pytest.raises(Killed):
        d.run_once(wait=WAIT)
    started = d.store.list_ticks("mixed")[0]
    assert started.status == "STARTED" and len(started.run_ids) == SUBMIT_BATCH
    assert len(runs_of(d.instance)) == 1 + SUBMIT_BATCH
    assert d.store.get_instigator("mixed").cursor == "first"  # type: ignore[union-attr]

    d2 = daemons(loaded, owner_id="b")
    clock.advance(13)  # the dead leader's lease expires
    assert d2.run_once(wait=WAIT).state == "leader"
    ticks = d2.store.list_ticks("mixed")
    assert [t.status for t in ticks] == ["SUCCESS", "SUCCESS"] and ticks[0].id == started.id
    assert ticks[0].skip_reason == "resumed after the daemon that started it stopped; 1 run key(s) already used"
    runs = runs_of(d2.instance)
    keys = Counter(r.tags.get("dagdeck/run_key") for r in runs)
    assert len(runs) == 1 + 120 + 30 and len(ticks[0].run_ids) == 150
    assert keys.pop(None) == 30 and set(keys) == {"early", *(f"k{i}" for i in range(120))}
    assert max(keys.values()) == 1
    assert sorted(r.tags["n"] for r in runs if "n" in r.tags) == sorted(str(i) for i in range(30))
    assert d2.store.get_instigator("mixed").cursor == "done"  # type: ignore[union-attr]


HOURLY_BURST = """
@dg.schedule("0 * * * *", job=a_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def burst(context):
    return [dg.RunRequest(run_key=f"r{i}") for i in range(120)]

defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[burst])
"""


def test_schedule_tick_interrupted_is_finished_even_after_its_hour_passed(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    """max_catchup_ticks=1 would fire only the newest hour; the interrupted one is finished first."""
    loaded = load_defs(HOURLY_BURST)
    clock.set(at("2024-01-01 09:59"))
    d = daemons(loaded, owner_id="a")
    d.run_once()
    clock.set(at("2024-01-01 10:00:01"))
    kill_after_batches(d.store, 1)
    with pytest.raises(Killed):
        d.run_once()
    clock.set(at("2024-01-01 11:00:01"))
    d2 = daemons(loaded, owner_id="b")
    assert d2.run_once().state == "leader"
    runs = runs_of(d2.instance)
    per_time = Counter(r.tags["dagdeck/scheduled_time"] for r in runs)
    assert per_time == {"2024-01-01T10:00:00+00:00": 120, "2024-01-01T11:00:00+00:00": 120}
    assert max(Counter(r.tags["dagdeck/run_key"] for r in runs).values()) == 1
    ticks = d2.store.list_ticks("burst")
    assert [(t.status, len(t.run_ids)) for t in ticks] == [("SUCCESS", 120), ("SUCCESS", 120)]


def test_interrupted_tick_of_a_stopped_schedule_is_ended_with_the_reason(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(HOURLY_BURST)
    clock.set(at("2024-01-01 09:59"))
    d = daemons(loaded, owner_id="a")
    d.run_once()
    clock.set(at("2024-01-01 10:00:01"))
    kill_after_batches(d.store, 1)
    with pytest.raises(Killed):
        d.run_once()
    set_running(loaded.defs, d.store, "burst", False, now=clock())
    clock.advance(13)
    d2 = daemons(loaded, owner_id="b")
    assert d2.run_once().state == "leader"
    tick = d2.store.list_ticks("burst")[0]
    assert tick.status == "FAILURE" and len(tick.run_ids) == SUBMIT_BATCH
    assert "the schedule is stopped" in (tick.error or "") and "run keys are still free" in (tick.error or "")


FLAKY = """
MODE = ["boom"]

@dg.sensor(job=a_job, minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING)
def flaky(context):
    if MODE[0] == "ok":
        return dg.SkipReason("fine")
    if MODE[0] == "no such job":
        return dg.RunRequest(job_name="nope")
    raise ValueError(MODE[0])

defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[flaky])
"""


def test_identical_failures_collapse_into_one_row_with_a_count(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(FLAKY)
    mode: list[str] = sys.modules[loaded.defs.sensors["flaky"].fn.__module__].MODE  # type: ignore[union-attr]
    d = daemons(loaded)
    first = clock()

    def tick(new_mode: str | None = None) -> None:
        if new_mode is not None:
            mode[0] = new_mode
        clock.advance(1)
        d.run_once(wait=WAIT)

    d.run_once(wait=WAIT)
    tick()
    tick()
    rows = d.store.list_ticks("flaky")
    assert len(rows) == 1 and failure_repeats(rows[0]) == 3 and rows[0].timestamp == clock()
    assert (rows[0].skip_reason or "").startswith("same error 3 times since 2024-01-01T00:00:00")
    assert rows[0].timestamp > first
    tick("other")  # a different error is a new row
    tick("ok")  # so is a success in between
    tick("other")
    rows = d.store.list_ticks("flaky")
    assert [(t.status, failure_repeats(t)) for t in rows] == [
        ("FAILURE", 1),
        ("SKIPPED", 1),
        ("FAILURE", 1),
        ("FAILURE", 3),
    ]
    assert "ValueError: other" in (rows[0].error or "") and "ValueError: boom" in (rows[3].error or "")
    tick("no such job")  # a request that cannot be launched fails the same way, and collapses too
    tick()
    rows = d.store.list_ticks("flaky")
    assert len(rows) == 5 and failure_repeats(rows[0]) == 2
    assert (rows[0].error or "").startswith("cannot launch: run request targets unknown job 'nope'")
