"""Dagster's lookups on `Definitions` (`get_job_def`, `resolve_assets_def`, `load_asset_value`,
...): read-only methods over what `Definitions` resolved, kept apart from the resolving itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_values import AssetValueLoader
from dagdeck.core.errors import DefinitionError, did_you_mean

if TYPE_CHECKING:
    from dagdeck.core.defs.asset_graph import AssetGraph
    from dagdeck.core.defs.assets import AssetsDefinition
    from dagdeck.core.defs.definitions_args import DefinitionsArgs
    from dagdeck.core.defs.graphs import JobDefinition
    from dagdeck.core.defs.loggers import LoggerDefinition
    from dagdeck.core.defs.schedules import ScheduleDefinition
    from dagdeck.core.defs.sensors import SensorDefinition


class DefinitionsLookups:
    """Mixed into `Definitions`, which sets these attributes when it resolves."""

    given: DefinitionsArgs
    asset_graph: AssetGraph
    op_jobs: dict[str, JobDefinition]
    asset_jobs: dict[str, Any]
    schedules: dict[str, ScheduleDefinition]
    sensors: dict[str, SensorDefinition]
    loggers: dict[str, LoggerDefinition]
    job_names: list[str]

    @property
    def assets(self) -> list[Any]:
        """As Dagster's `defs.assets`: the `assets=` list as given."""
        return list(self.given.assets)

    @property
    def jobs(self) -> list[Any]:
        """As Dagster's `defs.jobs`: the `jobs=` list as given."""
        return list(self.given.jobs)

    def resolve_job_def(self, name: str) -> Any:
        """The job named `name`: the JobDefinition of an op job, the resolved AssetJob of an asset
        job (its `keys` are the assets it materializes)."""
        if name in self.op_jobs:
            return self.op_jobs[name]
        if name in self.asset_jobs:
            return self.asset_jobs[name]
        raise DefinitionError(
            f"no job named {name!r}",
            obj="Definitions",
            fix=did_you_mean(name, self.job_names) or f"jobs are: {', '.join(self.job_names) or 'none'}",
        )

    get_job_def = resolve_job_def

    def loggers_for(self, job_name: str) -> dict[str, LoggerDefinition]:
        """The custom loggers of a job's runs: the job's `logger_defs=`, else Definitions' `loggers=`."""
        job = self.op_jobs.get(job_name)
        return dict(job.logger_defs) if job is not None and job.logger_defs else dict(self.loggers)

    def resolve_all_job_defs(self) -> list[Any]:
        return [self.resolve_job_def(n) for n in self.job_names]

    def resolve_assets_def(self, key: Any) -> AssetsDefinition:
        k = AssetKey.from_coercible(key)
        if k not in self.asset_graph.assets:
            raise DefinitionError(
                f"no asset {k.to_user_string()!r}",
                obj="Definitions",
                fix=did_you_mean(k.to_user_string(), self.asset_graph.by_string)
                or "name an asset of these Definitions",
            )
        return self.asset_graph.assets[k].definition

    get_assets_def = resolve_assets_def

    def resolve_schedule_def(self, name: str) -> ScheduleDefinition:
        return _named(self.schedules, name, "schedule")

    get_schedule_def = resolve_schedule_def

    def resolve_sensor_def(self, name: str) -> SensorDefinition:
        return _named(self.sensors, name, "sensor")

    get_sensor_def = resolve_sensor_def

    def get_asset_value_loader(self, instance: Any = None) -> AssetValueLoader:
        """`with defs.get_asset_value_loader() as loader: loader.load_asset_value("a")`: values as
        the last run stored them, read through each asset's IO manager."""
        return AssetValueLoader(self, instance)

    def load_asset_value(
        self,
        asset_key: Any,
        *,
        python_type: type | None = None,
        instance: Any = None,
        partition_key: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> object:
        with self.get_asset_value_loader(instance) as loader:
            return loader.load_asset_value(
                asset_key, python_type=python_type, partition_key=partition_key, metadata=metadata
            )


def _named(items: Mapping[str, Any], name: str, what: str) -> Any:
    if name not in items:
        raise DefinitionError(
            f"no {what} named {name!r}",
            obj="Definitions",
            fix=did_you_mean(name, items) or f"{what}s are: {', '.join(sorted(items)) or 'none'}",
        )
    return items[name]
