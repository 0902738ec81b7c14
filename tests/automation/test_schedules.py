"""Schedules: DST both ways, catch-up after downtime, start time, idempotent ticks, on/off state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.automation.schedule_ticks import due_ticks, next_tick
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.views.automation import set_running
from tests.automation.conftest import SimClock, at, runs_of

NY = "America/New_York"


def _times(ticks: list[dt.datetime]) -> list[str]:
    return [t.isoformat() for t in ticks]


def test_spring_forward_nonexistent_time_fires_once_at_shifted_time() -> None:
    ticks, _ = due_ticks(
        "30 2 * * *", NY, now=at("2024-03-11 12:00", NY), after=at("2024-03-08 12:00", NY), not_before=None, limit=10
    )
    assert _times(ticks) == [
        "2024-03-09T02:30:00-05:00",
        "2024-03-10T03:30:00-04:00",  # 02:30 does not exist that night
        "2024-03-11T02:30:00-04:00",
    ]
    hourly, _ = due_ticks(
        "0 * * * *", NY, now=at("2024-03-10 04:00", NY), after=at("2024-03-10 00:30", NY), not_before=None, limit=10
    )
    assert _times(hourly) == ["2024-03-10T01:00:00-05:00", "2024-03-10T03:00:00-04:00", "2024-03-10T04:00:00-04:00"]


def test_fall_back_repeated_time_fires_once() -> None:
    ticks, _ = due_ticks(
        "30 1 * * *", NY, now=at("2024-11-04 12:00", NY), after=at("2024-11-02 12:00", NY), not_before=None, limit=10
    )
    assert _times(ticks) == ["2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00"]
    # from inside the repeated hour, the next tick is tomorrow's, not the second 01:30
    second_pass = dt.datetime(2024, 11, 3, 1, 40, tzinfo=dt.timezone(dt.timedelta(hours=-5))).timestamp()
    nxt = next_tick("30 1 * * *", NY, second_pass)
    assert nxt is not None and nxt.isoformat() == "2024-11-04T01:30:00-05:00"


def test_dst_through_the_daemon_both_ways(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(
        f"""
nightly = dg.ScheduleDefinition(name="nightly", job=a_job, cron_schedule="30 1 * * *",
    execution_timezone="{NY}", default_status=dg.DefaultScheduleStatus.RUNNING)
early = dg.ScheduleDefinition(name="early", job=a_job, cron_schedule="30 2 * * *",
    execution_timezone="{NY}", default_status=dg.DefaultScheduleStatus.RUNNING)
defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[nightly, early])
"""
    )
    for start, end in (("2024-03-09 12:00", "2024-03-11 12:00"), ("2024-11-02 12:00", "2024-11-04 12:00")):
        clock.set(at(start, NY))
        d = daemons(loaded)
        for name in ("nightly", "early"):  # switched off between the two windows: no catch-up
            set_running(loaded.defs, d.store, name, False, now=clock())
            set_running(loaded.defs, d.store, name, True, now=clock())
        d.run_once()
        while clock() < at(end, NY):
            clock.advance(300)
            d.run_once()
        d.stop()
    times = sorted((r.tags["dagdeck/schedule"], r.tags["dagdeck/scheduled_time"]) for r in runs_of(d.instance))
    assert times == [
        ("early", "2024-03-10T03:30:00-04:00"),
        ("early", "2024-03-11T02:30:00-04:00"),
        ("early", "2024-11-03T02:30:00-05:00"),
        ("early", "2024-11-04T02:30:00-05:00"),
        ("nightly", "2024-03-10T01:30:00-05:00"),
        ("nightly", "2024-03-11T01:30:00-04:00"),
        ("nightly", "2024-11-03T01:30:00-04:00"),
        ("nightly", "2024-11-04T01:30:00-05:00"),
    ]


HOURLY = """
hourly = dg.ScheduleDefinition(name="hourly", job=a_job, cron_schedule="0 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING, max_catchup_ticks={catchup})
defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[hourly])
"""


def test_catch_up_after_downtime_runs_only_the_latest_tick(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(HOURLY.format(catchup=1))
    clock.set(at("2024-01-01 09:59"))
    d = daemons(loaded)
    d.run_once()
    clock.set(at("2024-01-01 10:00:01"))
    d.run_once()
    d.stop()  # down from 10:00 to 15:30
    clock.set(at("2024-01-01 15:30"))
    d2 = daemons(loaded)
    d2.run_once()
    d2.run_once()
    scheduled = [r.tags["dagdeck/scheduled_time"] for r in runs_of(d2.instance)]
    assert scheduled == ["2024-01-01T10:00:00+00:00", "2024-01-01T15:00:00+00:00"]


def test_catch_up_honours_max_catchup_ticks(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(HOURLY.format(catchup=3))
    clock.set(at("2024-01-01 09:59"))
    daemons(loaded).run_once()
    clock.set(at("2024-01-01 15:30"))
    d = daemons(loaded)
    d.run_once()
    scheduled = [r.tags["dagdeck/scheduled_time"] for r in runs_of(d.instance)]
    assert scheduled == ["2024-01-01T13:00:00+00:00", "2024-01-01T14:00:00+00:00", "2024-01-01T15:00:00+00:00"]


def test_never_a_tick_from_before_the_schedule_was_started(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(HOURLY.format(catchup=5).replace("RUNNING", "STOPPED"))
    clock.set(at("2024-01-01 10:30"))
    d = daemons(loaded)
    d.run_once()
    assert runs_of(d.instance) == []
    set_running(loaded.defs, d.store, "hourly", True, now=clock())
    d.run_once()
    assert runs_of(d.instance) == []  # 10:00 and earlier were before the start
    clock.set(at("2024-01-01 11:00"))
    d.run_once()
    assert [r.tags["dagdeck/scheduled_time"] for r in runs_of(d.instance)] == ["2024-01-01T11:00:00+00:00"]
    # stopped over 12:00 and 13:00, started again at 13:10: no backfill of the stopped period
    set_running(loaded.defs, d.store, "hourly", False, now=at("2024-01-01 11:30"))
    clock.set(at("2024-01-01 13:10"))
    d.run_once()
    set_running(loaded.defs, d.store, "hourly", True, now=clock())
    d.run_once()
    clock.set(at("2024-01-01 14:00"))
    d.run_once()
    assert [r.tags["dagdeck/scheduled_time"][11:16] for r in runs_of(d.instance)] == ["11:00", "14:00"]
    state = d.store.get_instigator("hourly")
    assert state is not None and state.status == "RUNNING"


def test_run_key_dedup_across_restarts(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    """A daemon that launched a tick but died before its cursor moved must not launch it again."""
    loaded = load_defs(HOURLY.format(catchup=1))
    clock.set(at("2024-01-01 09:59"))
    d = daemons(loaded)
    d.run_once()
    clock.set(at("2024-01-01 10:00:05"))
    d.run_once()
    d.stop()
    d.store.upsert_instigator("hourly", "schedule", cursor=None)  # as if the cursor write was lost
    d2 = daemons(loaded)
    clock.advance(20)
    d2.run_once()
    runs = runs_of(d2.instance)
    assert len(runs) == 1 and runs[0].tags["dagdeck/run_key"] == "hourly:2024-01-01T10:00:00+00:00"
    ticks = d2.store.list_ticks("hourly")
    assert [t.status for t in ticks] == ["SKIPPED", "SUCCESS"]
    assert "already used" in (ticks[0].skip_reason or "")


def test_schedule_functions_skip_raise_and_request(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(
        """
RUN = dg.DefaultScheduleStatus.RUNNING

@dg.schedule("0 * * * *", job=a_job, default_status=RUN)
def odd_hours(context):
    if context.scheduled_execution_time.hour % 2 == 0:
        return dg.SkipReason("even hour")
    return dg.RunRequest(tags={"hour": str(context.scheduled_execution_time.hour)})

@dg.schedule("0 * * * *", job=a_job, default_status=RUN)
def broken(context):
    raise RuntimeError("schedule code is broken")

defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[odd_hours, broken])
"""
    )
    clock.set(at("2024-01-01 09:30"))
    d = daemons(loaded)
    d.run_once()
    for _ in range(2):
        clock.advance(3600)
        d.run_once()
    runs = runs_of(d.instance)
    assert [(r.trigger, r.tags["hour"]) for r in runs] == [("schedule:odd_hours", "11")]
    assert [t.status for t in d.store.list_ticks("odd_hours")] == ["SUCCESS", "SKIPPED"]
    assert d.store.list_ticks("odd_hours")[1].skip_reason == "even hour"
    failed = d.store.list_ticks("broken")
    assert [t.status for t in failed] == ["FAILURE", "FAILURE"]
    assert "RuntimeError: schedule code is broken" in (failed[0].error or "")
    assert "Traceback" in (failed[0].error or "")
    assert d.status().state == "leader"


def test_tick_left_started_by_a_dead_daemon_is_marked_failed(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    from dagdeck.store import Tick

    loaded = load_defs(HOURLY.format(catchup=1))
    d = daemons(loaded)
    d.store.add_tick(Tick(instigator_name="hourly", kind="schedule", timestamp=clock(), status="STARTED"))
    d.run_once()
    ticks = d.store.list_ticks("hourly")
    assert ticks[-1].status == "FAILURE" and "interrupted" in (ticks[-1].error or "")
