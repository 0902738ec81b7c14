"""dagdeck's public API: `import dagdeck as dg`.

Names follow Dagster's, so a Dagster pipeline runs with only its import line changed. This facade
re-exports the engine's user-facing names; the engine lives in `dagdeck.core`, the SQL store in
`dagdeck.store` and the console in `dagdeck.tui`.
"""

from dagdeck.core.defs.asset_decorator import asset
from dagdeck.core.defs.asset_jobs import define_asset_job
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_loading import (
    load_asset_checks_from_current_module,
    load_asset_checks_from_modules,
    load_asset_checks_from_package_module,
    load_assets_from_current_module,
    load_assets_from_modules,
    load_assets_from_package_module,
    load_assets_from_package_name,
)
from dagdeck.core.defs.asset_specs import AssetDep, AssetOut, AssetSpec, SourceAsset
from dagdeck.core.defs.asset_values import AssetValueLoader
from dagdeck.core.defs.assets import AssetIn, AssetsDefinition
from dagdeck.core.defs.backfill_policy import BackfillPolicy
from dagdeck.core.defs.check_specs import AssetCheckKey, AssetCheckSpec
from dagdeck.core.defs.checks import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    FreshnessPolicy,
    asset_check,
    multi_asset_check,
)
from dagdeck.core.defs.config import Config, RunConfig
from dagdeck.core.defs.config_mapping import ConfigMapping, config_mapping, configured
from dagdeck.core.defs.config_types import (
    Any,
    Array,
    Bool,
    BoolSource,
    Enum,
    EnumValue,
    Field,
    Float,
    Int,
    IntSource,
    Map,
    Noneable,
    Permissive,
    Selector,
    Shape,
    String,
    StringSource,
)
from dagdeck.core.defs.context import AssetExecutionContext, OpExecutionContext, StepContext
from dagdeck.core.defs.context_builders import build_asset_context, build_hook_context, build_op_context
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.definitions_decorator import definitions
from dagdeck.core.defs.definitions_loading import (
    load_definitions_from_current_module,
    load_definitions_from_module,
    load_definitions_from_modules,
    load_definitions_from_package_module,
    load_definitions_from_package_name,
)
from dagdeck.core.defs.dynamic import DynamicOut, DynamicOutput
from dagdeck.core.defs.event_records import DagsterEventType, EventRecordsFilter
from dagdeck.core.defs.executors import ExecutorDef, dask_executor, in_process_executor, multiprocess_executor
from dagdeck.core.defs.freshness_checks import (
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
)
from dagdeck.core.defs.graph_assets import graph_asset, graph_multi_asset
from dagdeck.core.defs.graph_dependencies import (
    DependencyDefinition,
    MultiDependencyDefinition,
    NodeInvocation,
)
from dagdeck.core.defs.graphs import GraphDefinition, GraphIn, GraphOut, JobDefinition, graph, job
from dagdeck.core.defs.hooks import HookContext, HookDefinition, failure_hook, success_hook
from dagdeck.core.defs.io_contexts import (
    InputContext,
    OutputContext,
    build_input_context,
    build_output_context,
)
from dagdeck.core.defs.io_manager_defs import (
    ConfigurableIOManager,
    ConfigurableIOManagerFactory,
    ConfigurableLegacyIOManagerAdapter,
    InputManager,
    InputManagerDefinition,
    IOManagerDefinition,
    fs_io_manager,
    input_manager,
    io_manager,
)
from dagdeck.core.defs.io_managers import (
    FilesystemIOManager,
    InMemoryIOManager,
    IOContext,
    IOManager,
    mem_io_manager,
)
from dagdeck.core.defs.loggers import (
    InitLoggerContext,
    JsonLogFormatter,
    LoggerDefinition,
    build_init_logger_context,
    colored_console_logger,
    default_loggers,
    default_system_loggers,
    json_console_logger,
    logger,
)
from dagdeck.core.defs.logging import get_dagster_logger
from dagdeck.core.defs.metadata import MetadataValue
from dagdeck.core.defs.multi_assets import multi_asset
from dagdeck.core.defs.ops import In, OpDefinition, Out, op
from dagdeck.core.defs.partition_schedules import build_schedule_from_partitioned_job
from dagdeck.core.defs.partitions import (
    DagsterUnknownPartitionError,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindow,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from dagdeck.core.defs.partitions.config import (
    PartitionedConfig,
    daily_partitioned_config,
    hourly_partitioned_config,
    monthly_partitioned_config,
    static_partitioned_config,
    weekly_partitioned_config,
)
from dagdeck.core.defs.partitions.mappings import (
    AllPartitionMapping,
    IdentityPartitionMapping,
    LastPartitionMapping,
    PartitionMapping,
    StaticPartitionMapping,
    TimeWindowPartitionMapping,
)
from dagdeck.core.defs.partitions.requests import AddDynamicPartitionsRequest, DeleteDynamicPartitionsRequest
from dagdeck.core.defs.repository import RepositoryDefinition, repository
from dagdeck.core.defs.resources import (
    ConfigurableResource,
    EnvVar,
    InitResourceContext,
    ResourceDefinition,
    ResourceDependency,
    ResourceParam,
    build_init_resource_context,
    make_values_resource,
    resource,
    with_resources,
)
from dagdeck.core.defs.results import (
    AssetMaterialization,
    AssetObservation,
    DagsterInvariantViolationError,
    DagsterStepOutputNotFoundError,
    ExpectationResult,
    MaterializeResult,
    Output,
)
from dagdeck.core.defs.retries import Backoff, Failure, Jitter, RetryPolicy, RetryRequested
from dagdeck.core.defs.run_requests import SensorResult
from dagdeck.core.defs.run_status_sensors import (
    DagsterRun,
    DagsterRunStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    RunStatusSensorDefinition,
    build_run_status_sensor_context,
    run_failure_sensor,
    run_status_sensor,
)
from dagdeck.core.defs.schedules import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ScheduleDefinition,
    schedule,
)
from dagdeck.core.defs.selection import AssetSelection
from dagdeck.core.defs.sensors import (
    RunRequest,
    SensorDefinition,
    SkipReason,
    asset_sensor,
    file_sensor,
    sensor,
)
from dagdeck.core.defs.types import (
    DagsterType,
    DagsterTypeCheckDidNotPass,
    Dict,
    List,
    Nothing,
    Optional,
    PythonObjectDagsterType,
    Set,
    Tuple,
    TypeCheck,
    TypeCheckContext,
    check_dagster_type,
    make_python_type_usable_as_dagster_type,
    usable_as_dagster_type,
)
from dagdeck.core.defs.upath_io_manager import UPathIOManager
from dagdeck.core.errors import DagdeckError, DefinitionError, RunConfigError
from dagdeck.core.running.run_resources import build_resources

__all__ = [
    "build_schedule_from_partitioned_job",
    "AddDynamicPartitionsRequest",
    "AllPartitionMapping",
    "DagsterUnknownPartitionError",
    "DailyPartitionsDefinition",
    "DeleteDynamicPartitionsRequest",
    "DynamicPartitionsDefinition",
    "HourlyPartitionsDefinition",
    "IdentityPartitionMapping",
    "LastPartitionMapping",
    "MonthlyPartitionsDefinition",
    "MultiPartitionKey",
    "MultiPartitionsDefinition",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionedConfig",
    "PartitionsDefinition",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "TimeWindow",
    "TimeWindowPartitionMapping",
    "TimeWindowPartitionsDefinition",
    "WeeklyPartitionsDefinition",
    "daily_partitioned_config",
    "hourly_partitioned_config",
    "monthly_partitioned_config",
    "static_partitioned_config",
    "weekly_partitioned_config",
    "AssetMaterialization",
    "AssetObservation",
    "DagsterInvariantViolationError",
    "DagsterStepOutputNotFoundError",
    "DagsterEventType",
    "DagsterEvent",
    "EventLogEntry",
    "EventLogRecord",
    "DagsterInvalidConfigError",
    "DagsterInstance",
    "ExecuteInProcessResult",
    "DagsterType",
    "EventRecordsFilter",
    "DagsterTypeCheckDidNotPass",
    "ExpectationResult",
    "Dict",
    "List",
    "Nothing",
    "Optional",
    "Set",
    "Tuple",
    "PythonObjectDagsterType",
    "TypeCheck",
    "TypeCheckContext",
    "check_dagster_type",
    "get_dagster_logger",
    "make_python_type_usable_as_dagster_type",
    "usable_as_dagster_type",
    "AssetCheckExecutionContext",
    "AssetCheckKey",
    "AssetCheckResult",
    "AssetCheckSeverity",
    "AssetCheckSpec",
    "AssetChecksDefinition",
    "FreshnessPolicy",
    "asset_check",
    "multi_asset_check",
    "AssetExecutionContext",
    "AssetDep",
    "AssetIn",
    "AssetKey",
    "AssetOut",
    "AssetSpec",
    "AssetSelection",
    "AssetsDefinition",
    "BackfillPolicy",
    "Backoff",
    "Any",
    "Array",
    "Bool",
    "BoolSource",
    "Config",
    "ConfigMapping",
    "Enum",
    "EnumValue",
    "Field",
    "Float",
    "Int",
    "IntSource",
    "Map",
    "Noneable",
    "Permissive",
    "RunConfig",
    "Selector",
    "Shape",
    "String",
    "StringSource",
    "config_mapping",
    "configured",
    "DagdeckError",
    "DefaultScheduleStatus",
    "DefaultSensorStatus",
    "DefinitionError",
    "Definitions",
    "definitions",
    "load_definitions_from_current_module",
    "load_definitions_from_module",
    "load_definitions_from_modules",
    "load_definitions_from_package_module",
    "load_definitions_from_package_name",
    "AssetValueLoader",
    "InitLoggerContext",
    "LoggerDefinition",
    "build_asset_context",
    "build_hook_context",
    "build_init_logger_context",
    "build_op_context",
    "build_schedule_context",
    "build_sensor_context",
    "JsonLogFormatter",
    "colored_console_logger",
    "default_loggers",
    "default_system_loggers",
    "json_console_logger",
    "logger",
    "RepositoryDefinition",
    "repository",
    "DynamicOut",
    "DynamicOutput",
    "ExecutorDef",
    "Failure",
    "FilesystemIOManager",
    "DependencyDefinition",
    "GraphDefinition",
    "GraphIn",
    "MultiDependencyDefinition",
    "NodeInvocation",
    "GraphOut",
    "HookContext",
    "HookDefinition",
    "IOContext",
    "IOManager",
    "IOManagerDefinition",
    "ConfigurableIOManager",
    "ConfigurableIOManagerFactory",
    "ConfigurableLegacyIOManagerAdapter",
    "InputContext",
    "InputManager",
    "InputManagerDefinition",
    "OutputContext",
    "build_input_context",
    "build_output_context",
    "input_manager",
    "io_manager",
    "fs_io_manager",
    "UPathIOManager",
    "In",
    "InMemoryIOManager",
    "InProcessResult",
    "Jitter",
    "JobDefinition",
    "MaterializeResult",
    "MetadataValue",
    "OpDefinition",
    "OpExecutionContext",
    "Out",
    "Output",
    "RetryPolicy",
    "ConfigurableResource",
    "EnvVar",
    "InitResourceContext",
    "ResourceDefinition",
    "ResourceDependency",
    "ResourceParam",
    "build_init_resource_context",
    "build_resources",
    "make_values_resource",
    "resource",
    "with_resources",
    "RetryRequested",
    "RunConfigError",
    "RunRequest",
    "DagsterRun",
    "DagsterRunStatus",
    "RunFailureSensorContext",
    "RunStatusSensorContext",
    "RunStatusSensorDefinition",
    "build_run_status_sensor_context",
    "run_failure_sensor",
    "run_status_sensor",
    "build_last_update_freshness_checks",
    "build_sensor_for_freshness_checks",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "SensorEvaluationContext",
    "SensorResult",
    "SensorDefinition",
    "SkipReason",
    "SourceAsset",
    "StepContext",
    "asset",
    "asset_sensor",
    "dask_executor",
    "define_asset_job",
    "failure_hook",
    "file_sensor",
    "graph",
    "graph_asset",
    "graph_multi_asset",
    "in_process_executor",
    "job",
    "load_asset_checks_from_current_module",
    "load_asset_checks_from_modules",
    "load_asset_checks_from_package_module",
    "load_assets_from_current_module",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
    "materialize",
    "materialize_to_memory",
    "instance_for_test",
    "mem_io_manager",
    "multi_asset",
    "multiprocess_executor",
    "op",
    "schedule",
    "sensor",
    "success_hook",
]


_LAZY = {
    # the run machinery pulls in the store and the launcher: definitions files should not pay for it
    **dict.fromkeys(
        (
            "materialize",
            "materialize_to_memory",
            "InProcessResult",
            "ExecuteInProcessResult",
            "DagsterInvalidConfigError",
        ),
        "dagdeck.core.running.materialize",
    ),
    "DagsterEvent": "dagdeck.core.running.in_process_result",
    "DagsterInstance": "dagdeck.core.running.throwaway_instance",
    "instance_for_test": "dagdeck.core.running.throwaway_instance",
    "EventLogEntry": "dagdeck.core.running.instance_reads",
    "EventLogRecord": "dagdeck.core.running.instance_reads",
    # the contexts schedule and sensor functions receive live with the daemon's code (the store)
    "build_schedule_context": "dagdeck.core.automation.context_builders",
    "build_sensor_context": "dagdeck.core.automation.context_builders",
    "ScheduleEvaluationContext": "dagdeck.core.automation.schedule_ticks",
    "SensorEvaluationContext": "dagdeck.core.automation.sensor_ticks",
}
"""Public names imported on first use, by the module that holds them."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    # A Dagster name dagdeck lacks says so (a missing feature, not a typo); anything else is a typo
    if not name.startswith("__"):
        import sys

        from dagdeck.core.defs.dagster_names import DAGSTER_NAMES
        from dagdeck.core.errors import did_you_mean, unsupported_error

        if name in DAGSTER_NAMES:
            raise unsupported_error(name, sys._getframe(1))
        hint = did_you_mean(name, __all__)
        raise AttributeError(f"module 'dagdeck' has no attribute {name!r}" + (f"; {hint}" if hint else ""))
    raise AttributeError(f"module 'dagdeck' has no attribute {name!r}")
