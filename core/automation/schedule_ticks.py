"""When a schedule fires, and what one firing asks for.

Cron strings are evaluated on *wall-clock* time in the schedule's zone and each wall time is then
placed on the timeline with ``fold=0``. That gives the behaviour people expect around daylight
saving, which croniter's tz-aware mode does not: a wall time repeated on fall-back fires once (its
first occurrence), and one skipped on spring-forward fires once at the shifted instant (02:30 becomes
03:30 EDT). Two wall times that land on the same instant (02:00 and 03:00 on spring-forward) are
one tick.
"""

from __future__ import annotations

import datetime as dt
import inspect
import traceback
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from croniter import croniter

from dagdeck.core.automation.sensor_ticks import Evaluation, normalize_result
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import RunRequest

_MAX_WALK = 10_000
"""Guard against cron strings that almost never match (e.g. Feb 29 on a Friday)."""


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name or "UTC")


def to_instant(wall: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive wall time in `tz` as an aware datetime in `tz`, normalised through UTC so that
    nonexistent times come out shifted (02:30 -> 03:30 EDT) and repeated ones take the first."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC).astimezone(tz)


def _wall(ts: float, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz).replace(tzinfo=None, fold=0)


def iter_ticks_backward(cron: str, tz: zoneinfo.ZoneInfo, until: float) -> Iterator[dt.datetime]:
    """Tick instants at or before `until`, newest first, each instant once."""
    it = croniter(cron, _wall(until, tz) + dt.timedelta(seconds=1))
    last: dt.datetime | None = None
    for _ in range(_MAX_WALK):
        instant = to_instant(it.get_prev(dt.datetime), tz)
        if instant.timestamp() > until or instant == last:
            continue
        last = instant
        yield instant


def due_ticks(
    cron: str,
    tz_name: str | None,
    *,
    now: float,
    after: float | None,
    not_before: float | None,
    limit: int,
) -> tuple[list[dt.datetime], int]:
    """Ticks to fire now, oldest first: at most `limit` of those in (`after`, `now`] that are not
    before `not_before` (when the schedule was started). Also returns how many older due ticks were
    dropped by the limit, so catch-up after downtime is visible in the log."""
    tz = zone(tz_name)
    floor = float("-inf") if after is None else after
    if not_before is not None:
        floor = max(floor, not_before - 1e-6)
    picked: list[dt.datetime] = []
    dropped = 0
    for instant in iter_ticks_backward(cron, tz, now):
        if instant.timestamp() <= floor:
            break
        if len(picked) < max(limit, 1):
            picked.append(instant)
        else:
            dropped += 1
            if dropped >= _MAX_WALK:
                break
    picked.reverse()
    return picked, dropped


def next_tick(cron: str, tz_name: str | None, now: float) -> dt.datetime | None:
    """The first tick instant strictly after `now` (None when the cron string never matches)."""
    tz = zone(tz_name)
    try:
        it = croniter(cron, _wall(now, tz))
        for _ in range(_MAX_WALK):
            instant = to_instant(it.get_next(dt.datetime), tz)
            if instant.timestamp() > now:
                return instant
    except (ValueError, KeyError, ArithmeticError):
        return None
    return None


def tick_iso(instant: dt.datetime) -> str:
    """The scheduled time as it appears in run keys and tags: ISO 8601 with the zone's offset."""
    return instant.isoformat()


def run_key_for(schedule_name: str, instant: dt.datetime, request_key: str | None = None) -> str:
    """`<schedule>:<ISO scheduled time>`; a schedule function that returns several RunRequests
    distinguishes them by their own run_key."""
    base = f"{schedule_name}:{tick_iso(instant)}"
    return f"{base}:{request_key}" if request_key else base


@dataclass
class ScheduleEvaluationContext:
    """What a `@schedule` function receives."""

    schedule_name: str
    scheduled_execution_time: dt.datetime
    """Aware, in the schedule's execution time zone."""

    @property
    def scheduled_time_iso(self) -> str:
        return tick_iso(self.scheduled_execution_time)


def evaluate_schedule(schedule: ScheduleDefinition, instant: dt.datetime) -> Evaluation:
    """Run the schedule function (if any) for one tick. Exceptions become a FAILURE evaluation
    with the traceback; they never escape into the daemon loop."""
    if schedule.fn is None:
        return Evaluation(requests=[_default_request(schedule)])
    context = ScheduleEvaluationContext(str(schedule.name), instant)
    try:
        takes_context = bool(inspect.signature(schedule.fn).parameters)
        result: Any = schedule.fn(context) if takes_context else schedule.fn()
        if isinstance(result, dict):
            request = _default_request(schedule)
            request.run_config = result
            return Evaluation(requests=[request])
        if result is None:
            return Evaluation(requests=[_default_request(schedule)])
        evaluation = normalize_result(result)
    except Exception:  # noqa: BLE001 - user code: any error becomes a failed tick
        return Evaluation(error=traceback.format_exc())
    for r in evaluation.requests:
        if not r.run_config:
            r.run_config = dict(schedule.run_config)
    return evaluation


def _default_request(schedule: ScheduleDefinition) -> RunRequest:
    return RunRequest(run_config=dict(schedule.run_config))
