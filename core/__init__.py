"""dagdeck's public API: `import core as dd`.

Names follow Dagster's so a pipeline written against Dagster's core subset runs with only its
import line changed.
"""

from core.asset_jobs import define_asset_job
from core.asset_key import AssetKey
from core.assets import AssetIn, AssetsDefinition, asset
from core.checks import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    FreshnessPolicy,
    asset_check,
)
from core.config import Config
from core.context import AssetExecutionContext, OpExecutionContext, StepContext
from core.definitions import Definitions
from core.errors import DagdeckError, DefinitionError, RunConfigError
from core.executors_spec import ExecutorDef, dask_executor, in_process_executor, multiprocess_executor
from core.graphs import GraphDefinition, JobDefinition, graph, job
from core.io_managers import FilesystemIOManager, InMemoryIOManager, IOContext, IOManager, mem_io_manager
from core.metadata import MetadataValue
from core.ops import In, OpDefinition, Out, op
from core.results import MaterializeResult, Output, RetryPolicy
from core.schedules import DefaultScheduleStatus, DefaultSensorStatus, ScheduleDefinition, schedule
from core.selection import AssetSelection
from core.sensors import RunRequest, SensorDefinition, SkipReason, asset_sensor, file_sensor, sensor

__all__ = [
    "AssetCheckResult",
    "AssetCheckSeverity",
    "AssetChecksDefinition",
    "FreshnessPolicy",
    "asset_check",
    "AssetExecutionContext",
    "AssetIn",
    "AssetKey",
    "AssetSelection",
    "AssetsDefinition",
    "Config",
    "DagdeckError",
    "DefaultScheduleStatus",
    "DefaultSensorStatus",
    "DefinitionError",
    "Definitions",
    "ExecutorDef",
    "FilesystemIOManager",
    "GraphDefinition",
    "IOContext",
    "IOManager",
    "In",
    "InMemoryIOManager",
    "InProcessResult",
    "JobDefinition",
    "MaterializeResult",
    "MetadataValue",
    "OpDefinition",
    "OpExecutionContext",
    "Out",
    "Output",
    "RetryPolicy",
    "RunConfigError",
    "RunRequest",
    "ScheduleDefinition",
    "SensorDefinition",
    "SkipReason",
    "StepContext",
    "asset",
    "asset_sensor",
    "dask_executor",
    "define_asset_job",
    "file_sensor",
    "graph",
    "in_process_executor",
    "job",
    "materialize",
    "mem_io_manager",
    "multiprocess_executor",
    "op",
    "schedule",
    "sensor",
]


def __getattr__(name: str) -> object:
    # `materialize` pulls in the store and the launcher; definitions files should not pay for that
    if name in ("materialize", "InProcessResult"):
        from core import in_process

        return getattr(in_process, name)
    raise AttributeError(f"module 'core' has no attribute {name!r}")
