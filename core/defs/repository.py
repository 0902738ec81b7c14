"""`@repository`: Dagster's older way to gather definitions, still common in tutorials. The decorated
function returns a list of jobs, assets, schedules and sensors (or a dict of them by kind); the
loader serves it like a module-level `Definitions`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dagdeck.core.defs.asset_jobs import UnresolvedAssetJob
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.checks import AssetChecksDefinition
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.graphs import GraphDefinition, JobDefinition
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.errors import DefinitionError, where_defined

_SLOTS: tuple[tuple[type, str], ...] = (
    (AssetChecksDefinition, "asset_checks"),
    (AssetsDefinition, "assets"),
    (JobDefinition, "jobs"),
    (UnresolvedAssetJob, "jobs"),
    (ScheduleDefinition, "schedules"),
    (SensorDefinition, "sensors"),
)


class RepositoryDefinition:
    """What `@repository` makes: a name and the Definitions its function's items form."""

    def __init__(
        self, fn: Callable[[], Any], name: str | None = None, description: str | None = None
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or (fn.__doc__ or "").strip() or None
        self.source = where_defined(fn)
        self.defs = Definitions(**_sort_items(fn(), self.name, self.source))

    @property
    def job_names(self) -> list[str]:
        return self.defs.job_names

    def get_job(self, name: str) -> Any:
        return self.defs.resolve_job_def(name)

    def has_job(self, name: str) -> bool:
        return self.defs.has_job(name)

    def get_all_jobs(self) -> list[Any]:
        return self.defs.resolve_all_job_defs()

    @property
    def schedule_defs(self) -> list[ScheduleDefinition]:
        return list(self.defs.schedules.values())

    @property
    def sensor_defs(self) -> list[SensorDefinition]:
        return list(self.defs.sensors.values())

    def get_schedule_def(self, name: str) -> ScheduleDefinition:
        return self.defs.resolve_schedule_def(name)

    def get_sensor_def(self, name: str) -> SensorDefinition:
        return self.defs.resolve_sensor_def(name)

    def __repr__(self) -> str:
        return f"<repository {self.name}>"


def repository(
    definitions_fn: Callable[[], Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    default_executor_def: Any = None,
    default_logger_defs: Mapping[str, Any] | None = None,
) -> Any:
    """`@repository` or `@repository(name=...)`."""

    def build(fn: Callable[[], Any]) -> RepositoryDefinition:
        repo = RepositoryDefinition(fn, name, description)
        if default_executor_def is not None or default_logger_defs or metadata:
            args = repo.defs.given
            repo.defs = Definitions(
                **{
                    **args.__dict__,
                    "executor": args.executor or default_executor_def,
                    "loggers": {**(default_logger_defs or {}), **args.loggers},
                    "metadata": {**(metadata or {}), **args.metadata},
                }
            )
        return repo

    return build(definitions_fn) if definitions_fn is not None else build


def _sort_items(items: Any, repo: str, where: tuple[str | None, int | None]) -> dict[str, list[Any]]:
    """Definitions' keyword lists from a repository function's list, or its dict
    `{"jobs": {name: job or a function returning one}, "schedules": {...}, ...}`."""
    file, line = where
    if isinstance(items, Mapping):
        flat: list[Any] = []
        for kind, by_name in items.items():
            if not isinstance(by_name, Mapping):
                raise DefinitionError(
                    f"{kind!r} maps to {type(by_name).__name__}, not a dict of name -> definition",
                    file=file,
                    line=line,
                    obj=f"repository {repo}",
                    fix='return {"jobs": {"name": job}, "schedules": {...}, "sensors": {...}}',
                )
            flat.extend(v() if callable(v) and not _is_definition(v) else v for v in by_name.values())
        items = flat
    if not isinstance(items, list | tuple):
        raise DefinitionError(
            f"returned {type(items).__name__}, not a list of definitions",
            file=file,
            line=line,
            obj=f"repository {repo}",
            fix="return a list of jobs, assets, schedules and sensors",
        )
    out: dict[str, list[Any]] = {"assets": [], "jobs": [], "schedules": [], "sensors": [], "asset_checks": []}
    for item in items:
        if isinstance(item, GraphDefinition) and not isinstance(item, JobDefinition):
            item = item.to_job()
        slot = next((s for cls, s in _SLOTS if isinstance(item, cls)), "assets")  # specs, source assets
        out[slot].append(item)
    return out


def _is_definition(value: Any) -> bool:
    return isinstance(value, tuple(cls for cls, _ in _SLOTS) + (GraphDefinition,))
