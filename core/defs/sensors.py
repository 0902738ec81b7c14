"""Sensor definitions and what sensors return. Evaluating them is the daemon's job."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.asset_jobs import as_job
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.run_requests import RunRequest, SkipReason  # noqa: F401 - re-exported: their historic home
from dagdeck.core.defs.schedules import DefaultSensorStatus, _caller, _target_job
from dagdeck.core.errors import where_defined


@dataclass(eq=False)
class SensorDefinition:
    name: str
    fn: Callable[..., Any] | None
    job: Any = None
    job_name: str | None = None
    minimum_interval_seconds: float = 30
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED
    description: str | None = None
    kind: str = "custom"
    """`custom` (a user function), `file` (watch a path/glob) or `asset` (new materializations)."""
    watch: str | None = None
    asset_key: AssetKey | None = None
    defined_at: tuple[str | None, int | None] = (None, None)
    target: Any = None
    """Dagster's `target=`: a job, or an asset selection the sensor makes an asset job for."""
    jobs: tuple[Any, ...] = ()
    """Dagster's `jobs=[...]`: every job the sensor may request (RunRequest(job_name=...) picks)."""
    named_after_fn: bool = False
    """The name is to come from the decorated function (`@asset_sensor(...)` without name=)."""

    def __post_init__(self) -> None:
        self.default_status = DefaultSensorStatus(self.default_status)
        if self.defined_at == (None, None) and self.fn is not None:
            self.defined_at = where_defined(self.fn)
        if self.target is not None:
            self.job = _target_job(self.target, self.job, self.name, "sensor", self.defined_at)
        self.job = as_job(self.job)
        self.jobs = tuple(as_job(j) for j in self.jobs)
        if self.job is None and len(self.jobs) == 1:
            self.job = self.jobs[0]
        if self.job_name is None and self.job is not None:
            self.job_name = getattr(self.job, "name", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """`@asset_sensor(asset_key=..., job=...)` decorating `def fn(context, asset_event)`, as
        Dagster writes it: the same sensor, named after the function. On a sensor with a function,
        `my_sensor(context)` (or `my_sensor()`) runs it, as in a unit test (`build_sensor_context`)."""
        if self.fn is not None:
            if not inspect.signature(self.fn).parameters:
                return self.fn()
            if not args and not kwargs:
                raise TypeError(f"sensor function of {self.name!r} takes a context: pass build_sensor_context()")
            return self.fn(*args, **kwargs)
        fn = args[0] if len(args) == 1 and not kwargs and callable(args[0]) else None
        if self.kind != "asset" or fn is None:
            raise TypeError(f"{self!r} is a sensor, not a decorator")
        return dataclasses.replace(
            self,
            fn=fn,
            name=fn.__name__ if self.named_after_fn else self.name,
            description=(fn.__doc__ or "").strip() or self.description,
            defined_at=where_defined(fn),
            target=None,
            named_after_fn=False,
        )

    @property
    def source(self) -> tuple[str | None, int | None]:
        return self.defined_at

    def __repr__(self) -> str:
        return f"<sensor {self.name}>"


def sensor(
    job: Any = None,
    *,
    job_name: str | None = None,
    name: str | None = None,
    minimum_interval_seconds: float | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    description: str | None = None,
    jobs: Sequence[Any] | None = None,
    target: Any = None,
    asset_selection: Any = None,
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], SensorDefinition]:
    """The function gets a context with `cursor`/`update_cursor()` and returns or yields
    RunRequests, or a SkipReason. Dagster's first positional argument is `job_name`; a job
    object there is taken as `job=`."""
    if isinstance(job, str):
        job, job_name = None, job

    def build(fn: Callable[..., Any]) -> SensorDefinition:
        return SensorDefinition(
            name=name or fn.__name__,
            fn=fn,
            job=job,
            job_name=job_name,
            minimum_interval_seconds=30 if minimum_interval_seconds is None else minimum_interval_seconds,
            default_status=default_status,
            description=description or (fn.__doc__ or "").strip() or None,
            target=target if target is not None else asset_selection,
            jobs=tuple(jobs or ()),
        )

    return build


def file_sensor(
    path_or_glob: str,
    job: Any = None,
    *,
    job_name: str | None = None,
    name: str | None = None,
    minimum_interval_seconds: float = 1,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    description: str | None = None,
) -> SensorDefinition:
    """Launch `job` for each new or changed file matching `path_or_glob` (relative paths are
    relative to the definitions file's directory)."""
    defined_at = _caller(1)
    return SensorDefinition(
        name=name or f"file_sensor_{getattr(job, 'name', job_name) or 'job'}",
        fn=None,
        job=job,
        job_name=job_name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=description or f"new files matching {path_or_glob}",
        kind="file",
        watch=path_or_glob,
        defined_at=defined_at,
    )


def asset_sensor(
    asset_key: Any,
    job: Any = None,
    *,
    job_name: str | None = None,
    name: str | None = None,
    minimum_interval_seconds: float | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    jobs: Sequence[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> SensorDefinition:
    """Launch `job` once for each new materialization of `asset_key`. Used directly it is a
    sensor; used as Dagster's decorator (`@asset_sensor(asset_key=..., job=...)`) it is named
    after the decorated function."""
    key = AssetKey.from_coercible(asset_key)
    return SensorDefinition(
        name=name or f"asset_sensor_{key.to_user_string().replace('/', '_')}",
        fn=None,
        job=job,
        job_name=job_name,
        minimum_interval_seconds=30 if minimum_interval_seconds is None else minimum_interval_seconds,
        default_status=default_status,
        description=description or f"new materializations of {key.to_user_string()}",
        kind="asset",
        asset_key=key,
        defined_at=_caller(1),
        jobs=tuple(jobs or ()),
        named_after_fn=name is None,
    )
