"""Running inside the calling process, for unit tests and notebooks: `dg.materialize(...)`,
`materialize_to_memory(...)` and `JobDefinition/GraphDefinition.execute_in_process(...)`.

Runs are recorded in an instance like any other (a throwaway one unless given), but no worker
process is spawned, so a failing step can be debugged with a plain breakpoint. As in Dagster, a
failed step's exception is raised again here unless `raise_on_error=False`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.checks import AssetChecksDefinition
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.io_managers import InMemoryIOManager
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.selection import coerce_selection
from dagdeck.core.errors import RunConfigError
from dagdeck.core.instance import Instance
from dagdeck.core.running.execute_run import execute_run
from dagdeck.core.running.in_process_result import ExecuteInProcessResult, InProcessResult
from dagdeck.core.running.launcher import Launcher, assets_spec, checks_spec, job_spec
from dagdeck.core.running.processes import HOST
from dagdeck.core.running.run_config import step_configs
from dagdeck.core.running.run_status import mark_started
from dagdeck.core.running.throwaway_instance import throwaway_instance

IN_PROCESS_LOCATION = CodeLocation(module="<in-process>")

__all__ = [
    "ExecuteInProcessResult",
    "InProcessResult",
    "execute_job_in_process",
    "materialize",
    "materialize_to_memory",
]


class DagsterInvalidConfigError(RunConfigError):
    """Run config the run's steps cannot take: raised before the run starts, whatever
    `raise_on_error` says (Dagster's)."""


class DagsterExecutionStepExecutionError(Exception):
    """A step failed in a run whose exception could not be kept (a step in another process)."""


class RunMemoryIOManager(InMemoryIOManager):
    """In-memory values kept after the run, so the result can still read them."""

    def forget_run(self, run_id: str) -> None:
        return None


def _split(assets: Iterable[Any]) -> dict[str, list[Any]]:
    """Dagster's `materialize` list: assets, source assets/specs and asset checks, together."""
    parts: dict[str, list[Any]] = {"assets": [], "asset_checks": []}
    for item in assets:
        is_check = isinstance(item, AssetChecksDefinition) and not isinstance(item, AssetsDefinition)
        parts["asset_checks" if is_check else "assets"].append(item)
    return parts


def materialize(
    assets: Iterable[Any] | Definitions,
    *,
    selection: Any = None,
    resources: Mapping[str, Any] | None = None,
    run_config: Any = None,
    instance: Instance | None = None,
    job_name: str | None = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = True,
    partition_key: str | None = None,
    _memory: RunMemoryIOManager | None = None,
) -> ExecuteInProcessResult:
    """Materialize `assets` (with their checks) in this process; Dagster's signature."""
    if isinstance(assets, Definitions):
        defs = assets
    else:
        parts = _split(assets)
        all_resources = {**dict(resources or {}), **({"io_manager": _memory} if _memory is not None else {})}
        defs = Definitions(**parts, resources=all_resources or None)
    options = _options(run_config, tags, partition_key)
    if job_name:
        spec, plan = job_spec(defs, IN_PROCESS_LOCATION, job_name, **options)
    else:
        sel = coerce_selection(selection) if selection is not None else None
        materializable = {k for k, n in defs.asset_graph.assets.items() if not n.is_external}
        keys = sel.resolve(defs.asset_graph) if sel is not None else materializable
        checks = _selected_checks(defs, sel) if sel is not None and not keys else []
        if checks:  # `AssetSelection.checks(...)`: the checks alone, against stored values
            spec, plan = checks_spec(defs, IN_PROCESS_LOCATION, checks, trigger="in_process", tags=options["tags"])
            spec.executor = options["executor"]
        else:
            if partition_key is not None:
                _check_partition_key(defs, keys, partition_key, instance)
            spec, plan = assets_spec(defs, IN_PROCESS_LOCATION, keys, **options)
    _check_config(plan, spec)
    return _execute(defs, spec, instance, raise_on_error, job_name or ASSET_JOB_NAME, _memory)


def _check_partition_key(defs: Definitions, keys: Iterable[Any], partition_key: str, instance: Any) -> None:
    """A key the selected partitioned assets lack raises Dagster's error before the run starts."""
    from dagdeck.core.defs.partitions.base import DagsterUnknownPartitionError

    store = getattr(instance, "store", None)
    for key in keys:
        node = defs.asset_graph.assets.get(key)
        pdef = node.spec.partitions_def if node is not None else None
        if pdef is not None and not pdef.has_partition_key(partition_key, dynamic_partitions_store=store):
            raise DagsterUnknownPartitionError(f"Could not find a partition with key `{partition_key}`.")


def materialize_to_memory(
    assets: Iterable[Any],
    *,
    selection: Any = None,
    resources: Mapping[str, Any] | None = None,
    run_config: Any = None,
    instance: Instance | None = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = True,
    partition_key: str | None = None,
) -> ExecuteInProcessResult:
    """`materialize` with every output kept in memory (nothing written to storage)."""
    if resources and "io_manager" in resources:
        from dagdeck.core.defs.results import DagsterInvariantViolationError

        raise DagsterInvariantViolationError(
            "Attempted to call `materialize_to_memory` with a resource provided for io manager key "
            "'io_manager'. Do not provide resources for io manager keys when calling `materialize_to_memory`"
        )
    return materialize(
        assets,
        selection=selection,
        resources=resources,
        run_config=run_config,
        instance=instance,
        tags=tags,
        raise_on_error=raise_on_error,
        partition_key=partition_key,
        _memory=RunMemoryIOManager(),
    )


def execute_job_in_process(
    job: Any,
    *,
    run_config: Any = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    op_selection: Iterable[str] | None = None,
    partition_key: str | None = None,
    graph_outputs: Mapping[str, tuple[str, str]] | None = None,
) -> ExecuteInProcessResult:
    """`job.execute_in_process(...)`: the job's ops in this process, outputs kept in memory unless
    the job names its own `io_manager` (as Dagster does)."""
    all_resources = {**job.resources, **dict(resources or {})}
    memory = None
    if "io_manager" not in all_resources:
        memory = RunMemoryIOManager()
        all_resources["io_manager"] = memory
    defs = Definitions(jobs=[job], resources=all_resources)
    spec, plan = job_spec(defs, IN_PROCESS_LOCATION, job.name, **_options(run_config, tags, partition_key))
    _check_config(plan, spec)
    if op_selection is not None:
        spec.steps = spec.step_keys = _selected_steps(spec.steps, list(op_selection))
    result = _execute(defs, spec, instance, raise_on_error, job.name, memory)
    result.graph_outputs = dict(graph_outputs or {})
    return result


def _check_config(plan: Any, spec: Any) -> None:
    try:
        step_configs(plan, spec.run_config)
    except RunConfigError as err:
        raise DagsterInvalidConfigError(f"Error in config for job {spec.job_name}: {err}") from None


def _selected_steps(steps: list[str], op_selection: list[str]) -> list[str]:
    """Steps of the selected ops (`"op"`, `"graph.op"`, `"graph"`, `"*"`): Dagster's simple form."""
    if "*" in op_selection:
        return steps
    return [
        s
        for s in steps
        if any(s == o or s.startswith(o + ".") or s.startswith(o + "[") for o in op_selection)
    ]


def _selected_checks(defs: Definitions, sel: Any) -> list[str]:
    """Step keys of the checks a selection names (a multi-asset check's step once)."""
    checks_of = {k: [c.key for c in cs] for k, cs in defs.checks_by_asset.items()}
    wanted = sel.resolve_checks(defs.asset_graph, checks_of)
    return list(dict.fromkeys(c.step_key for c in defs.asset_checks if c.key in wanted))


def _options(run_config: Any, tags: Mapping[str, str] | None, partition_key: str | None) -> dict[str, Any]:
    if run_config is not None and hasattr(run_config, "to_config_dict"):  # a RunConfig(ops=, resources=)
        run_config = run_config.to_config_dict()
    all_tags = {**dict(tags or {}), **({"dagster/partition": partition_key} if partition_key else {})}
    return {"run_config": run_config, "tags": all_tags, "trigger": "in_process", "executor": "in_process"}


def _execute(
    defs: Definitions,
    spec: Any,
    instance: Instance | None,
    raise_on_error: bool,
    job_name: str,
    memory: RunMemoryIOManager | None,
) -> ExecuteInProcessResult:
    instance = instance or throwaway_instance()
    run = Launcher(instance).submit(spec, start=False)
    mark_started(instance.store, run.run_id, os.getpid(), HOST)
    run = instance.store.get_run(run.run_id) or run
    errors: dict[str, BaseException] = {}
    outcome = execute_run(instance, run, defs, step_errors=errors)
    result = ExecuteInProcessResult(instance, defs, outcome, run.run_id, job_name, memory)
    if raise_on_error and not result.success:
        if errors:
            raise next(iter(errors.values()))
        failures = result.get_step_failure_events()
        reason = failures[0].step_failure_data.error.message if failures else outcome.reason
        raise DagsterExecutionStepExecutionError(reason or f"run {run.run_id} ended {outcome.status}")
    return result
