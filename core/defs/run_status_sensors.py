"""Run-status sensors (Dagster's `@run_status_sensor` / `@run_failure_sensor`): a function called
once for each run of the monitored jobs that ends with a given status, to alert someone or to
request a follow-up run. The daemon evaluates them (`core/automation/run_status_sensors.py`)."""

from __future__ import annotations

import enum
import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.schedules import DefaultSensorStatus
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.errors import where_defined

RUN_STATUS_KIND = "run_status"
"""`SensorDefinition.kind` of a run-status sensor."""
DEFAULT_INTERVAL = 30
"""Dagster's default minimum interval between two evaluations of a sensor."""


class DagsterRunStatus(enum.StrEnum):
    """A run's status, with Dagster's names (dagdeck's runs use the subset it needs)."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUSPENDED = "SUSPENDED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


END_EVENT_TYPES: Mapping[DagsterRunStatus, str] = {
    DagsterRunStatus.SUCCESS: "PIPELINE_SUCCESS",
    DagsterRunStatus.FAILURE: "PIPELINE_FAILURE",
    DagsterRunStatus.CANCELED: "PIPELINE_CANCELED",
}
"""The `event_type_value` Dagster gives the event that ends a run with each status."""


@dataclass(frozen=True)
class DagsterRun:
    """`context.dagster_run`: the run that ended (the fields alerting code reads; Dagster's
    keyword arguments)."""

    job_name: str
    run_id: str = ""
    run_config: Mapping[str, Any] = field(default_factory=dict)
    status: DagsterRunStatus = DagsterRunStatus.NOT_STARTED
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def pipeline_name(self) -> str:
        return self.job_name

    @property
    def is_success(self) -> bool:
        return self.status == DagsterRunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status == DagsterRunStatus.FAILURE


@dataclass(frozen=True)
class RunEndEvent:
    """`context.dagster_event` (and `failure_event`): the event that ended the run."""

    event_type_value: str
    job_name: str
    message: str
    run_id: str = ""
    timestamp: float | None = None
    storage_id: int | None = None

    @property
    def is_failure(self) -> bool:
        return self.event_type_value == END_EVENT_TYPES[DagsterRunStatus.FAILURE]


class RunStatusSensorContext:
    """What a run-status sensor function receives."""

    def __init__(
        self,
        sensor_name: str,
        dagster_run: DagsterRun,
        dagster_event: RunEndEvent,
        instance: Any = None,
        resources: Mapping[str, Any] | None = None,
        partition_key: str | None = None,
        cursor: str | None = None,
    ) -> None:
        self.sensor_name = sensor_name
        self.dagster_run = dagster_run
        self.dagster_event = dagster_event
        self.instance = instance
        self.resources = dict(resources or {})
        self.partition_key = partition_key
        self.cursor = cursor
        self.log = logging.getLogger(f"dagdeck.sensor.{sensor_name}")

    def for_run_failure(self) -> RunFailureSensorContext:
        return RunFailureSensorContext(
            self.sensor_name,
            self.dagster_run,
            self.dagster_event,
            self.instance,
            self.resources,
            self.partition_key,
            self.cursor,
        )


class RunFailureSensorContext(RunStatusSensorContext):
    """What a `@run_failure_sensor` function receives: also `failure_event`."""

    @property
    def failure_event(self) -> RunEndEvent:
        return self.dagster_event


@dataclass(eq=False, repr=False)
class RunStatusSensorDefinition(SensorDefinition):
    """A sensor called once per run end of `run_status`; `monitored_jobs` None means every job."""

    run_status: DagsterRunStatus = DagsterRunStatus.SUCCESS
    monitored_jobs: tuple[str, ...] | None = None
    failure_context: bool = False
    """Call the function with a RunFailureSensorContext (`@run_failure_sensor`)."""

    def __post_init__(self) -> None:
        self.kind = RUN_STATUS_KIND
        self.run_status = DagsterRunStatus(self.run_status)
        super().__post_init__()

    def monitors(self, job_name: str) -> bool:
        return self.monitored_jobs is None or job_name in self.monitored_jobs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Called directly with a context, as Dagster's docs do in unit tests."""
        assert self.fn is not None
        if not inspect.signature(self.fn).parameters:
            return self.fn()
        context = args[0] if args else kwargs.get("context")
        if self.failure_context and isinstance(context, RunStatusSensorContext):
            context = context.for_run_failure()
        return self.fn(context)

    def __repr__(self) -> str:
        return f"<run status sensor {self.name}>"


def _job_names(jobs: Sequence[Any] | None) -> tuple[str, ...] | None:
    if jobs is None:
        return None
    return tuple(j if isinstance(j, str) else str(getattr(j, "name", j)) for j in jobs)


def run_status_sensor(
    run_status: DagsterRunStatus | str,
    name: str | None = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    monitored_jobs: Sequence[Any] | None = None,
    job_selection: Sequence[Any] | None = None,
    monitor_all_code_locations: bool | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    request_job: Any = None,
    request_jobs: Sequence[Any] | None = None,
    monitor_all_repositories: bool | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], RunStatusSensorDefinition]:
    """`fn(context)` runs once for every run of `monitored_jobs` (all jobs when omitted) that ends
    with `run_status`; it may return RunRequests for `request_job`."""
    return _decorator(
        DagsterRunStatus(run_status),
        name,
        minimum_interval_seconds,
        description,
        monitored_jobs if monitored_jobs is not None else job_selection,
        default_status,
        request_job,
        request_jobs,
        failure_context=False,
    )


def run_failure_sensor(
    name: Callable[..., Any] | str | None = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    monitored_jobs: Sequence[Any] | None = None,
    job_selection: Sequence[Any] | None = None,
    monitor_all_code_locations: bool | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    request_job: Any = None,
    request_jobs: Sequence[Any] | None = None,
    monitor_all_repositories: bool | None = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Any:
    """`@run_failure_sensor` (bare or with arguments): `fn(context)` with `context.failure_event`
    for every failed run of the monitored jobs."""
    build = _decorator(
        DagsterRunStatus.FAILURE,
        name if isinstance(name, str) else None,
        minimum_interval_seconds,
        description,
        monitored_jobs if monitored_jobs is not None else job_selection,
        default_status,
        request_job,
        request_jobs,
        failure_context=True,
    )
    return build(name) if callable(name) else build


def _decorator(
    run_status: DagsterRunStatus,
    name: str | None,
    minimum_interval_seconds: int | None,
    description: str | None,
    monitored_jobs: Sequence[Any] | None,
    default_status: DefaultSensorStatus,
    request_job: Any,
    request_jobs: Sequence[Any] | None,
    *,
    failure_context: bool,
) -> Callable[[Callable[..., Any]], RunStatusSensorDefinition]:
    def build(fn: Callable[..., Any]) -> RunStatusSensorDefinition:
        return RunStatusSensorDefinition(
            name=name or fn.__name__,
            fn=fn,
            job=request_job,
            minimum_interval_seconds=DEFAULT_INTERVAL
            if minimum_interval_seconds is None
            else minimum_interval_seconds,
            default_status=default_status,
            description=description or (fn.__doc__ or "").strip() or None,
            defined_at=where_defined(fn),
            jobs=tuple(request_jobs or ()),
            run_status=run_status,
            monitored_jobs=_job_names(monitored_jobs),
            failure_context=failure_context,
        )

    return build


def build_run_status_sensor_context(
    sensor_name: str,
    dagster_event: Any,
    dagster_instance: Any,
    dagster_run: Any,
    context: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    *,
    repository_def: Any = None,
) -> RunStatusSensorContext:
    """A context for calling a run-status sensor in a unit test (Dagster's builder)."""
    return RunStatusSensorContext(
        sensor_name,
        dagster_run,
        dagster_event,
        instance=dagster_instance,
        resources=resources,
        partition_key=partition_key,
        cursor=getattr(context, "cursor", None),
    )
