"""Schedule definitions: a job on a cron string in a time zone. Firing them is the daemon's job."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_jobs import job_for_target
from dagdeck.core.errors import DefinitionError, where_defined


class DefaultScheduleStatus(enum.StrEnum):
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


DefaultSensorStatus = DefaultScheduleStatus


@dataclass(eq=False)
class ScheduleDefinition:
    cron_schedule: str
    job: Any = None
    name: str | None = None
    job_name: str | None = None
    execution_timezone: str = "UTC"
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED
    run_config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    fn: Callable[..., Any] | None = None
    max_catchup_ticks: int = 1
    defined_at: tuple[str | None, int | None] = (None, None)
    target: Any = None
    """Dagster's `target=`: a job, or an asset selection the schedule makes an asset job for."""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.defined_at == (None, None):
            self.defined_at = where_defined(self.fn) if self.fn else _caller(2)
        if self.target is not None:
            self.job = _target_job(self.target, self.job, self.name, "schedule", self.defined_at)
        if self.job_name is None and self.job is not None:
            self.job_name = getattr(self.job, "name", None)
        if self.name is None:
            self.name = f"{self.job_name}_schedule" if self.job_name else "schedule"
        self.execution_timezone = self.execution_timezone or "UTC"
        self.default_status = DefaultScheduleStatus(self.default_status)

    @property
    def source(self) -> tuple[str | None, int | None]:
        return self.defined_at

    def __repr__(self) -> str:
        return f"<schedule {self.name}>"


def _caller(depth: int) -> tuple[str | None, int | None]:
    frame = sys._getframe(depth + 1)
    return frame.f_code.co_filename, frame.f_lineno


def _target_job(
    target: Any, job: Any, name: str | None, kind: str, where: tuple[str | None, int | None]
) -> Any:
    """`target=` as Dagster reads it: with a name (an asset selection becomes a job named after
    the schedule or sensor), and never together with `job=`."""
    file, line = where
    if job is not None:
        raise DefinitionError(
            "has both job= and target=",
            file=file,
            line=line,
            obj=f"{kind} {name or ''}".strip(),
            fix="pass one of them (target= takes a job or an asset selection)",
        )
    if name is None:
        raise DefinitionError(
            f"a {kind} with target= needs a name",
            file=file,
            line=line,
            obj=kind,
            fix=f"pass name='...' to the {kind}, as Dagster requires",
        )
    return job_for_target(target, name, where)


def schedule(
    cron_schedule: str,
    *,
    job: Any = None,
    job_name: str | None = None,
    name: str | None = None,
    execution_timezone: str | None = "UTC",
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    max_catchup_ticks: int = 1,
    target: Any = None,
    metadata: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], ScheduleDefinition]:
    """The function gets a context with `scheduled_execution_time` and returns a RunRequest,
    a list of them, a SkipReason, or a run config dict."""

    def build(fn: Callable[..., Any]) -> ScheduleDefinition:
        return ScheduleDefinition(
            cron_schedule=cron_schedule,
            job=job,
            job_name=job_name,
            name=name or fn.__name__,
            execution_timezone=execution_timezone or "UTC",
            default_status=default_status,
            tags=dict(tags or {}),
            description=description or (fn.__doc__ or "").strip() or None,
            fn=fn,
            max_catchup_ticks=max_catchup_ticks,
            target=target,
            metadata=dict(metadata or {}),
        )

    return build
