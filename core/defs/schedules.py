"""Schedule definitions: a job on a cron string in a time zone. Firing them is the daemon's job."""

from __future__ import annotations

import enum
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_jobs import as_job, job_for_target
from dagdeck.core.defs.run_requests import RunRequest, SkipReason
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
    run_config_fn: Callable[..., Any] | None = None
    """Dagster's `run_config_fn`: returns the run config of each tick."""
    should_execute: Callable[..., bool] | None = None
    """Dagster's `should_execute`: a tick where it returns False is skipped."""
    execution_fn: Callable[..., Any] | None = None
    """Dagster's name for the schedule function (what `@schedule` decorates)."""
    tags_fn: Callable[..., Any] | None = None
    """Dagster's `tags_fn`: tags added to each tick's run."""

    def __post_init__(self) -> None:
        self.fn = self.fn or self.execution_fn or self.run_config_fn
        if self.defined_at == (None, None):
            self.defined_at = where_defined(self.fn) if self.fn else _caller(2)
        if self.should_execute is not None or self.tags_fn is not None:
            self.fn = _guarded(self)
        if self.target is not None:
            self.job = _target_job(self.target, self.job, self.name, "schedule", self.defined_at)
        self.job = as_job(self.job)
        if self.job_name is None and self.job is not None:
            self.job_name = getattr(self.job, "name", None)
        if self.name is None:
            self.name = f"{self.job_name}_schedule" if self.job_name else "schedule"
        self.execution_timezone = self.execution_timezone or "UTC"
        self.default_status = DefaultScheduleStatus(self.default_status)

    @property
    def source(self) -> tuple[str | None, int | None]:
        return self.defined_at

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """`my_schedule(context)` (or `my_schedule()`) runs the schedule function, as in a unit test
        (`build_schedule_context`); it returns what the function returns."""
        if self.fn is None:
            raise TypeError(f"{self!r} has no schedule function to call")
        if not inspect.signature(self.fn).parameters:
            if args or kwargs:
                raise TypeError(f"schedule function of {self.name!r} takes no context, but one was given")
            return self.fn()
        if not args and not kwargs:
            raise TypeError(f"schedule function of {self.name!r} takes a context: pass build_schedule_context()")
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<schedule {self.name}>"


def _caller(depth: int) -> tuple[str | None, int | None]:
    frame = sys._getframe(depth + 1)
    return frame.f_code.co_filename, frame.f_lineno


def _call(fn: Callable[..., Any], context: Any) -> Any:
    return fn(context) if inspect.signature(fn).parameters else fn()


def _guarded(s: ScheduleDefinition) -> Callable[[Any], Any]:
    """The schedule function with Dagster's `should_execute` (skip the tick when False) and
    `tags_fn` (tags added to the tick's run) around it."""
    inner, should, tags_fn = s.fn, s.should_execute, s.tags_fn

    def evaluate(context: Any) -> Any:
        if should is not None and not _call(should, context):
            return SkipReason(f"should_execute function for {s.name} returned false.")
        result = _call(inner, context) if inner is not None else None
        if tags_fn is None:
            return result
        extra = {str(k): str(v) for k, v in (_call(tags_fn, context) or {}).items()}
        if result is None or isinstance(result, dict):
            run_config = result if isinstance(result, dict) else dict(s.run_config)
            return RunRequest(run_config=run_config, tags={**s.tags, **extra})
        if isinstance(result, RunRequest):
            result.tags = {**s.tags, **extra, **result.tags}
        return result

    return evaluate


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
