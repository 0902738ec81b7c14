"""Sensor definitions and what sensors return. Evaluating them is the daemon's job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.schedules import DefaultSensorStatus, _caller
from dagdeck.core.errors import where_defined


@dataclass
class RunRequest:
    run_key: str | None = None
    run_config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    job_name: str | None = None
    asset_selection: list[Any] | None = None


@dataclass
class SkipReason:
    skip_message: str = ""


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

    def __post_init__(self) -> None:
        if self.job_name is None and self.job is not None:
            self.job_name = getattr(self.job, "name", None)
        self.default_status = DefaultSensorStatus(self.default_status)
        if self.defined_at == (None, None) and self.fn is not None:
            self.defined_at = where_defined(self.fn)

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
    minimum_interval_seconds: float = 30,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    description: str | None = None,
) -> Callable[[Callable[..., Any]], SensorDefinition]:
    """The function gets a context with `cursor`/`update_cursor()` and returns or yields
    RunRequests, or a SkipReason."""

    def build(fn: Callable[..., Any]) -> SensorDefinition:
        return SensorDefinition(
            name=name or fn.__name__,
            fn=fn,
            job=job,
            job_name=job_name,
            minimum_interval_seconds=minimum_interval_seconds,
            default_status=default_status,
            description=description or (fn.__doc__ or "").strip() or None,
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
    minimum_interval_seconds: float = 30,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> SensorDefinition:
    """Launch `job` once for each new materialization of `asset_key`."""
    key = AssetKey.from_coercible(asset_key)
    return SensorDefinition(
        name=name or f"asset_sensor_{key.to_user_string().replace('/', '_')}",
        fn=None,
        job=job,
        job_name=job_name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=description or f"new materializations of {key.to_user_string()}",
        kind="asset",
        asset_key=key,
        defined_at=_caller(1),
    )
