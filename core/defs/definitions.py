"""`Definitions`: everything a code location offers, resolved and validated at load time."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from croniter import croniter

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.check_wiring import check_inputs, spec_checks
from dagdeck.core.defs.checks import AssetChecksDefinition, MultiAssetChecksDefinition
from dagdeck.core.defs.definitions_args import DefinitionsArgs, merged_args
from dagdeck.core.defs.definitions_graph import AssetGraphBuilding
from dagdeck.core.defs.definitions_jobs import AssetJob, JobResolution
from dagdeck.core.defs.definitions_lookups import DefinitionsLookups
from dagdeck.core.defs.executors import ExecutorDef, coerce_executor
from dagdeck.core.defs.graphs import JobDefinition
from dagdeck.core.defs.io_managers import FilesystemIOManager
from dagdeck.core.defs.loggers import LoggerDefinition, coerce_logger_defs
from dagdeck.core.defs.misplaced import check_slot, sort_checks_out
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.errors import DefinitionError, did_you_mean


class Definitions(AssetGraphBuilding, JobResolution, DefinitionsLookups):
    """Dagster's `Definitions`, with its keyword arguments (in its order)."""

    def __init__(
        self,
        assets: Iterable[Any] | None = None,
        schedules: Iterable[ScheduleDefinition] | None = None,
        sensors: Iterable[SensorDefinition] | None = None,
        jobs: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: Any = None,
        loggers: Mapping[str, Any] | None = None,
        asset_checks: Iterable[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        given = DefinitionsArgs(
            _flatten(assets),
            _flatten(schedules),
            _flatten(sensors),
            _flatten(jobs),
            dict(resources or {}),
            executor,
            dict(loggers or {}),
            _flatten(asset_checks),
            dict(metadata or {}),
        )
        for slot in ("assets", "schedules", "sensors", "jobs", "asset_checks"):
            check_slot(getattr(given, slot), slot)
        self.given = given
        """The arguments as passed, for `Definitions.merge`. Everything else is resolved on first
        use, as Dagster does, so `merge` can join sets that are incomplete alone (one's assets
        reading another's); the loader resolves at load time so mistakes surface there."""

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not set yet: the resolved ones, before the first resolution
        if name.startswith("__") or name == "given" or "_resolving" in self.__dict__:
            raise AttributeError(name)
        self.resolve()
        return object.__getattribute__(self, name)

    def resolve(self) -> Definitions:
        """Resolve and validate everything (idempotent); raises DefinitionError for a mistake."""
        if "_resolved" not in self.__dict__:
            self.__dict__["_resolving"] = True
            try:
                self._resolve(self.given)
            finally:
                del self.__dict__["_resolving"]
            self.__dict__["_resolved"] = True
        return self

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        defs.resolve()

    def _resolve(self, given: DefinitionsArgs) -> None:
        assets_only, stray_checks = sort_checks_out(given.assets)
        self.assets_defs: list[AssetsDefinition] = assets_only
        self.job_defs: list[Any] = list(given.jobs)
        self.schedules: dict[str, ScheduleDefinition] = {}
        self.sensors: dict[str, SensorDefinition] = {}
        self.resources: dict[str, Any] = dict(given.resources)
        for a in given.assets:  # `with_resources` / `resource_defs=`: the Definitions' own win
            for key, value in (getattr(a, "resource_defs", None) or {}).items():
                self.resources.setdefault(key, value)
        self.resources.setdefault("io_manager", FilesystemIOManager())
        self.executor: ExecutorDef | None = coerce_executor(given.executor)
        self.loggers: dict[str, LoggerDefinition] = coerce_logger_defs(given.loggers, "Definitions")
        self.metadata: dict[str, Any] = dict(given.metadata)
        self.asset_graph = self._build_asset_graph()
        self._check_required_resources()
        self.checks_by_asset: dict[AssetKey, list[AssetChecksDefinition]] = {}
        self.check_inputs: dict[str, dict[str, AssetKey]] = {}
        for check in [*spec_checks(self.assets_defs, self.asset_graph), *given.asset_checks, *stray_checks]:
            self._add_check(check)
        self.asset_jobs: dict[str, AssetJob] = {}
        self.op_jobs: dict[str, JobDefinition] = {}
        self._job_objects: dict[str, Any] = {}
        self._resolve_jobs()
        for sched in given.schedules:
            self._add_schedule(sched)
        for sens in given.sensors:
            self._add_sensor(sens)
        self._check_executor(self.executor, "Definitions")

    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        """One Definitions holding everything of each (Dagster's `Definitions.merge`): their
        lists joined; a resource, logger or executor given differently by two is an error."""
        return Definitions(**merged_args([d.given for d in def_sets]).__dict__)

    # -- assets ---------------------------------------------------------------------------------
    def assets_by_key_raw(self) -> dict[AssetKey, AssetsDefinition]:
        return {k: a for a in self.assets_defs if isinstance(a, AssetsDefinition) for k in a.keys}

    def _add_check(self, c: AssetChecksDefinition) -> None:
        if not isinstance(c, AssetChecksDefinition):
            raise DefinitionError(
                f"{c!r} in asset_checks=[...] is not an asset check", fix="use @asset_check"
            )
        if isinstance(c, MultiAssetChecksDefinition):
            for check in c.checks():
                self._add_check(check)
            self.check_inputs[c.step_key] = {}
            return
        file, line = c.source
        obj = f"asset check {c.name}"
        graph = self.asset_graph
        if c.asset_key not in graph.assets:
            raise DefinitionError(
                f"checks unknown asset {c.asset_key.to_user_string()!r}",
                file=file,
                line=line,
                obj=obj,
                fix=did_you_mean(c.asset_key.to_user_string(), graph.by_string)
                or "name an asset in Definitions",
            )
        existing = self.checks_by_asset.setdefault(c.asset_key, [])
        if any(e.name == c.name for e in existing):
            raise DefinitionError(
                f"duplicate check name {c.name!r} on asset {c.asset_key.to_user_string()}",
                file=file,
                line=line,
                obj=obj,
                fix="rename one check",
            )
        if c.runner is not None:  # declared by an AssetCheckSpec: its function's step evaluates it
            existing.append(c)
            return
        inputs = check_inputs(c, graph, self.resources)
        existing.append(c)
        self.check_inputs[c.step_key] = inputs

    @property
    def asset_checks(self) -> list[AssetChecksDefinition]:
        return [c for checks in self.checks_by_asset.values() for c in checks]

    # -- jobs -----------------------------------------------------------------------------------
    def _add_schedule(self, s: ScheduleDefinition) -> None:
        file, line = s.source
        obj = f"schedule {s.name}"
        if not isinstance(s, ScheduleDefinition):
            raise DefinitionError(
                f"{s!r} in schedules=[...] is not a schedule", fix="use ScheduleDefinition or @schedule"
            )
        if s.name in self.schedules or s.name in self.sensors:
            raise DefinitionError(
                f"duplicate schedule name {s.name!r}", file=file, line=line, obj=obj, fix="rename one"
            )
        if not croniter.is_valid(s.cron_schedule):
            raise DefinitionError(
                f"invalid cron string {s.cron_schedule!r}",
                file=file,
                line=line,
                obj=obj,
                fix="use five fields: minute hour day-of-month month day-of-week, e.g. '0 * * * *'",
            )
        try:
            zoneinfo.ZoneInfo(s.execution_timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise DefinitionError(
                f"unknown time zone {s.execution_timezone!r}",
                file=file,
                line=line,
                obj=obj,
                fix="use an IANA name such as 'UTC' or 'Europe/Berlin'",
            ) from None
        self._adopt_job(s.job)
        self._check_target_job(s.job_name, file, line, obj)
        self.schedules[s.name] = s  # type: ignore[index]

    def _add_sensor(self, s: SensorDefinition) -> None:
        file, line = s.source
        obj = f"sensor {s.name}"
        if not isinstance(s, SensorDefinition):
            raise DefinitionError(
                f"{s!r} in sensors=[...] is not a sensor", fix="use @sensor, file_sensor or asset_sensor"
            )
        if s.name in self.sensors or s.name in self.schedules:
            raise DefinitionError(
                f"duplicate sensor name {s.name!r}", file=file, line=line, obj=obj, fix="rename one"
            )
        for job in (s.job, *s.jobs):
            self._adopt_job(job)
        if s.kind not in ("custom", "run_status") or s.job_name is not None:
            self._check_target_job(s.job_name, file, line, obj)
        if s.kind == "asset" and s.asset_key not in self.asset_graph.assets:
            raise DefinitionError(
                f"watches unknown asset {s.asset_key}",
                file=file,
                line=line,
                obj=obj,
                fix=did_you_mean(str(s.asset_key), self.asset_graph.by_string) or "name an existing asset",
            )
        self.sensors[s.name] = s

    def get_asset(self, key: AssetKey | str) -> AssetsDefinition:
        k = AssetKey.from_coercible(key)
        return self.asset_graph.assets[k].definition

    def describe(self) -> str:
        counts = (
            (len(self.asset_graph.assets), "asset"),
            (len(self.job_names), "job"),
            (len(self.schedules), "schedule"),
            (len(self.sensors), "sensor"),
        )
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts)


def _flatten(items: Iterable[Any] | None) -> list[Any]:
    out: list[Any] = []
    for item in items or ():
        if isinstance(item, list | tuple):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out
