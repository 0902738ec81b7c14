"""Contexts for calling a schedule or sensor function directly in a unit test, with Dagster's
builders: `build_sensor_context` and `build_schedule_context`. They are the contexts the daemon
gives a tick, with the test's instance and resources attached.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from dagdeck.core.automation.schedule_ticks import ScheduleEvaluationContext
from dagdeck.core.automation.sensor_ticks import SensorEvaluationContext


class BuiltSensorContext(SensorEvaluationContext):
    """A sensor context outside the daemon (Dagster's `build_sensor_context`)."""

    def __init__(
        self,
        sensor_name: str,
        cursor: str | None,
        instance: Any,
        resources: Mapping[str, Any] | None,
        last_tick_completion_time: float | None,
    ) -> None:
        store = getattr(instance, "store", None)
        super().__init__(sensor_name, cursor, last_tick_completion_time, store)
        self.instance = instance
        self.resources = SimpleNamespace(**dict(resources or {}))
        self.last_tick_completion_time = last_tick_completion_time
        self.last_completion_time = last_tick_completion_time

    def __enter__(self) -> BuiltSensorContext:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def build_sensor_context(
    instance: Any = None,
    cursor: str | None = None,
    repository_name: str | None = None,
    repository_def: Any = None,
    sensor_name: str | None = None,
    resources: Mapping[str, Any] | None = None,
    definitions: Any = None,
    instance_ref: Any = None,
    last_sensor_start_time: float | None = None,
    last_tick_completion_time: float | None = None,
    log_key: Any = None,
) -> BuiltSensorContext:
    """A context to pass to a sensor called directly: `my_sensor(build_sensor_context(cursor="3"))`."""
    return BuiltSensorContext(
        sensor_name or "ephemeral_sensor", cursor, instance, resources, last_tick_completion_time
    )


class BuiltScheduleContext(ScheduleEvaluationContext):
    """A schedule context outside the daemon (Dagster's `build_schedule_context`)."""

    instance: Any = None
    resources: Any = None

    def __enter__(self) -> BuiltScheduleContext:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def build_schedule_context(
    instance: Any = None,
    scheduled_execution_time: dt.datetime | None = None,
    resources: Mapping[str, Any] | None = None,
    repository_def: Any = None,
    instance_ref: Any = None,
    definitions: Any = None,
) -> BuiltScheduleContext:
    """A context to pass to a schedule called directly; the tick time defaults to now (UTC), a naive
    time is taken as UTC."""
    when = scheduled_execution_time or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
    context = BuiltScheduleContext("ephemeral_schedule", when)
    object.__setattr__(context, "instance", instance)
    object.__setattr__(context, "resources", SimpleNamespace(**dict(resources or {})))
    return context
