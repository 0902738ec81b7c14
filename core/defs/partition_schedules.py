"""`build_schedule_from_partitioned_job`: a schedule on the cadence of a time-partitioned job that,
at each tick, requests a run of the partition that has just ended (with its partitioned config)."""

from __future__ import annotations

import sys
from typing import Any

from dagdeck.core.defs.partitions.multi import MultiPartitionsDefinition
from dagdeck.core.defs.partitions.time_window import TimeWindowPartitionsDefinition
from dagdeck.core.defs.run_requests import RunRequest
from dagdeck.core.defs.schedules import DefaultScheduleStatus, ScheduleDefinition
from dagdeck.core.errors import DefinitionError


def _time_dimension(pdef: Any) -> TimeWindowPartitionsDefinition | None:
    if isinstance(pdef, TimeWindowPartitionsDefinition):
        return pdef
    if isinstance(pdef, MultiPartitionsDefinition):
        return next(
            (
                d.partitions_def
                for d in pdef.partitions_defs
                if isinstance(d.partitions_def, TimeWindowPartitionsDefinition)
            ),
            None,
        )
    return None


def _cron(pdef: TimeWindowPartitionsDefinition, minute: Any, hour: Any, dow: Any, dom: Any) -> str:
    parts = pdef.cron_schedule.split()
    for i, value in ((0, minute), (1, hour), (2, dom), (4, dow)):
        if value is not None:
            parts[i] = str(value)
    return " ".join(parts)


def build_schedule_from_partitioned_job(
    job: Any,
    description: str | None = None,
    name: str | None = None,
    minute_of_hour: int | None = None,
    hour_of_day: int | None = None,
    day_of_week: int | None = None,
    day_of_month: int | None = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
    tags: dict[str, str] | None = None,
    cron_schedule: str | None = None,
    execution_timezone: str | None = None,
    **_ignored: Any,
) -> ScheduleDefinition:
    frame = sys._getframe(1)
    where = (frame.f_code.co_filename, frame.f_lineno)
    pdef = getattr(job, "partitions_def", None)
    time_def = _time_dimension(pdef)
    if time_def is None:
        raise DefinitionError(
            f"job {getattr(job, 'name', job)!r} is not partitioned by time",
            file=where[0],
            line=where[1],
            obj="build_schedule_from_partitioned_job",
            fix="give the job a time-window partitions_def (e.g. DailyPartitionsDefinition)",
        )

    def request_last_partition(context: Any) -> Any:
        when = getattr(context, "scheduled_execution_time", None)
        key = time_def.get_last_partition_key(current_time=when)
        if key is None:
            from dagdeck.core.defs.sensors import SkipReason

            return SkipReason("The schedule's partitions definition has no partition yet")
        if time_def is not pdef:  # a multi-partitioned job: one run per key of the other dimension
            return [
                RunRequest(partition_key=k, tags=dict(tags or {}))
                for k in pdef.get_partition_keys(when)
                if key in k.split("|")
            ]
        run_config = job.run_config_for_partition(key) if hasattr(job, "run_config_for_partition") else {}
        return RunRequest(partition_key=key, run_config=run_config, tags=dict(tags or {}))

    schedule = ScheduleDefinition(
        cron_schedule=cron_schedule
        or _cron(time_def, minute_of_hour, hour_of_day, day_of_week, day_of_month),
        job=job,
        name=name,
        execution_timezone=execution_timezone or time_def.timezone,
        default_status=default_status,
        description=description,
        fn=request_last_partition,
        defined_at=where,
    )
    return schedule
