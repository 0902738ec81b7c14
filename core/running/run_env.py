"""What every step of one run shares (`RunEnv`), built one way, and what a step gets from it: its
inputs and its `context`.

`execute_run` and a Dask worker build the `RunEnv` of a run with `run_env`; `execute_step` and
`execute_check` build a step's context with `step_context`, so a context looks the same whatever
executor runs the step.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.config import op_config_value
from dagdeck.core.defs.context import StepContext
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext, IOManager
from dagdeck.core.defs.loggers import build_run_loggers, tee_to_loggers
from dagdeck.core.defs.metadata import MAX_METADATA_BYTES
from dagdeck.core.defs.partitions.run_partition import RunPartition
from dagdeck.core.instance import Instance
from dagdeck.core.running import io_calls
from dagdeck.core.running.dynamic_steps import collected_sources, element_source, find_manifest
from dagdeck.core.running.instance_reads import instance_reads
from dagdeck.core.running.plan import ExecutionPlan, LinkKind, Source, Step
from dagdeck.core.running.run_config import step_configs
from dagdeck.core.running.run_partitions import (
    dynamic_store,
    input_partition_keys,
    job_partitions_def,
    partitions_defs,
    step_partition,
)
from dagdeck.core.running.run_resources import RunResources, init_run_resources
from dagdeck.store import Run


class StepCanceled(BaseException):
    """Raised inside a step process by SIGTERM when its run is canceled."""


class MissingInput(Exception):
    pass


@dataclass
class RunEnv:
    """What every step of one run shares."""

    run_id: str
    job_name: str
    emit: Callable[[dict[str, Any]], None]
    cancel_event: threading.Event
    resources: dict[str, Any]
    storage_dir: Path
    logs_dir: Path | None = None
    log_max_bytes: int = 10 * 1024 * 1024
    metadata_max_bytes: int = MAX_METADATA_BYTES
    """Each metadata value over this is stored truncated (settings: max_metadata_bytes)."""
    configs: dict[str, Any] = field(default_factory=dict)
    """Step key -> its `Config` instance or processed `config_schema` value (`context.op_config`)."""
    values: dict[tuple[str, str], Any] = field(default_factory=dict)
    """Outputs of this run's steps kept in memory (in-process executor only)."""
    prior_run_ids: list[str] = field(default_factory=list)
    """Runs to load op outputs from when their step is not part of this run (re-execution)."""
    run_tags: dict[str, str] = field(default_factory=dict)
    keep_values: bool = True
    values_lock: threading.Lock = field(default_factory=threading.Lock)
    instance_factory: Callable[[], Any] | None = None
    """`context.instance` of this run's steps, opened on first use (instance_reads)."""
    loggers: list[logging.Logger] = field(default_factory=list)
    """Custom loggers (`@logger`) of this run; `context.log` records go to them too."""
    asset_metadata: Mapping[AssetKey, Any] | None = None
    """Asset key -> its node (`.metadata`): the `definition_metadata` an IO manager written for
    Dagster sees (core/running/io_calls.py); only read when one asks."""
    run_resources: RunResources | None = None
    """Resources this run initialized; `execute_run` tears them down when the run ends."""
    step_errors: dict[str, BaseException] | None = None
    """Step key -> the exception a failed step raised, kept for `execute_in_process` to re-raise
    (None: not kept; set only by in-process test runs)."""
    partition: RunPartition | None = None
    """The partition key or range this run targets (its `dagster/partition...` tags); None: none."""
    partitions_defs: dict[AssetKey, Any] = field(default_factory=dict)
    """Asset key -> its partitions definition, for the partitioned assets only (empty: none)."""
    partitions_store: Any = None
    """Where dynamic partitions definitions read their keys (the instance's store)."""
    job_partitions_def: Any = None
    """`job(partitions_def=)` / a partitioned config's: what an op step's partition is read through."""

    def io_manager(self, key: str) -> IOManager:
        manager = self.resources.get(key)
        if manager is None:
            raise MissingInput(f"no IO manager resource named {key!r}; add it to Definitions(resources=...)")
        return manager


def run_env(
    instance: Instance,
    run: Run,
    defs: Definitions,
    plan: ExecutionPlan,
    emit: Callable[[dict[str, Any]], None],
    cancel_event: threading.Event,
    keep_values: bool = True,
) -> RunEnv:
    """The environment of `run`; raises RunConfigError when its run config does not fit the plan and
    ResourceInitError when a resource fails to start."""
    configs = step_configs(plan, run.run_config or {})
    started = init_run_resources(resources_for(defs, instance, run.job_name), run.run_config, run.run_id)
    return RunEnv(
        run_id=run.run_id,
        job_name=run.job_name,
        emit=emit,
        cancel_event=cancel_event,
        resources=started.values,
        run_resources=started,
        storage_dir=instance.storage_dir,
        logs_dir=instance.run_logs_dir(run.run_id),
        log_max_bytes=instance.settings.step_log_max_bytes,
        metadata_max_bytes=instance.settings.max_metadata_bytes,
        configs=configs,
        prior_run_ids=list((run.plan or {}).get("prior_run_ids") or []),
        run_tags=dict(run.tags or {}),
        keep_values=keep_values,
        instance_factory=instance_reads(instance, emit),
        loggers=build_run_loggers(defs.loggers_for(run.job_name), run.run_config, run.run_id, run.job_name),
        asset_metadata=defs.asset_graph.assets,
        partition=RunPartition.from_tags(run.tags),
        partitions_defs=partitions_defs(defs),
        partitions_store=dynamic_store(instance),
        job_partitions_def=job_partitions_def(defs, run.job_name),
    )


def resources_for(defs: Definitions, instance: Instance, job_name: str) -> dict[str, Any]:
    """The job's resources; a filesystem IO manager without a base dir stores under the instance."""
    resources = dict(defs.resources)
    if job_name in defs.op_jobs:
        resources.update(defs.op_jobs[job_name].resources)
    for key, value in resources.items():
        if isinstance(value, FilesystemIOManager) and value.base_dir is None:
            resources[key] = FilesystemIOManager(instance.storage_dir)
    return resources


def step_context(step: Step, env: RunEnv, attempt: int = 1) -> StepContext:
    """The `context` argument of a step function (asset, op or check), for one attempt."""
    return StepContext(
        run_id=env.run_id,
        step_key=step.key,
        job_name=env.job_name,
        emit=tee_to_loggers(env.emit, env.loggers, env.job_name) if env.loggers else env.emit,
        cancel_event=env.cancel_event,
        resources=env.resources,
        asset_key=step.asset_key,
        op_name=step.op_name,
        op_config=op_config_value(env.configs.get(step.key)),
        retry_number=attempt - 1,
        run_tags=env.run_tags,
        output_asset_keys=step.output_asset_keys,
        op_tags=step.tags,
        instance_factory=env.instance_factory,
        metadata_max_bytes=env.metadata_max_bytes,
        mapping_key=step.mapping_key,
        output_names=step.outputs,
        check_keys=step.check_keys,
        partition=step_partition(step, env) if env.partition is not None else None,
    )


def load_inputs(step: Step, env: RunEnv) -> dict[str, Any]:
    """Upstream values and resources for the step function's parameters."""
    kwargs = {
        name: _load_input(env, step, inp.sources, inp.fan_in) if inp.sources else inp.value
        for name, inp in step.inputs.items()
    }
    for name in step.resource_params:
        kwargs[name] = env.resources[name]
    return kwargs


def _load_input(env: RunEnv, step: Step, sources: tuple[Source, ...], fan_in: bool) -> Any:
    if fan_in:  # a fan-in list leaves out optional outputs that were not yielded, as Dagster does
        return [_load_linked(env, step, s) for s in sources if not s.optional or _yielded(env, s)]
    return _load_linked(env, step, sources[0])


def _load_linked(env: RunEnv, step: Step, src: Source) -> Any:
    """A source as it is, or through its link to a dynamic output: this instance's element, or
    (collect) every element as a list in mapping-key order."""
    if src.dynamic is None:
        return _load_one(env, src, step)
    if src.dynamic.kind is LinkKind.COLLECT:
        origin_step, origin_output = src.dynamic.origin
        # the dynamic op may have run in an earlier run (a re-execution of the mapped steps only)
        manifest = find_manifest(env.storage_dir, [env.run_id, *env.prior_run_ids], origin_step)
        if manifest is None:
            raise MissingInput(f"step {origin_step!r} recorded no mapping keys for its dynamic output {origin_output!r}")
        keys = manifest.mapping_keys.get(origin_output, [])
        return [_load_one(env, s, step) for s in collected_sources(src, keys)]
    if step.mapping_key is None:
        raise MissingInput(f"step {step.key!r} is mapped over a dynamic output but has no mapping key")
    return _load_one(env, element_source(src, step.mapping_key), step)


def _run_ids(env: RunEnv, src: Source) -> list[str]:
    return [env.run_id] if src.in_run else env.prior_run_ids


def _yielded(env: RunEnv, src: Source) -> bool:
    manifest = find_manifest(env.storage_dir, _run_ids(env, src), src.step_key)
    return manifest is None or src.output in manifest.outputs


def _load_one(env: RunEnv, src: Source, step: Step) -> Any:
    manager = env.io_manager(src.io_manager_key)
    if env.partitions_defs and src.asset_key in env.partitions_defs:
        return _load_partitions(env, src, step, manager)
    if not getattr(manager, "native_io", False):  # written for Dagster: always asked, with an InputContext
        in_run = src.in_run or src.asset_key is not None or not env.prior_run_ids
        return io_calls.load_input(env, step, src, manager, None if in_run else env.prior_run_ids[0])
    if src.in_run:
        with env.values_lock:
            if (src.step_key, src.output) in env.values:
                return env.values[(src.step_key, src.output)]
        return manager.load_input(IOContext(env.storage_dir, env.run_id, src.step_key, src.output, src.asset_key))
    if src.asset_key is not None:
        ctx = IOContext(env.storage_dir, env.run_id, src.step_key, src.output, src.asset_key)
        if not _has_output(manager, ctx):
            raise MissingInput(
                f"upstream asset {src.asset_key.to_user_string()!r} has no stored value; "
                f"materialize it first or include it in the selection (e.g. +{src.step_key})"
            )
        return manager.load_input(ctx)
    for run_id in env.prior_run_ids:
        ctx = IOContext(env.storage_dir, run_id, src.step_key, src.output)
        if manager.has_output(ctx):
            return manager.load_input(ctx)
    raise MissingInput(
        f"output {src.output!r} of step {src.step_key!r} was not stored by an earlier run; re-execute all steps"
    )


def _load_partitions(env: RunEnv, src: Source, step: Step, manager: IOManager) -> Any:
    """A partitioned upstream asset: the partitions this step reads (by its partition mapping),
    one as its value, several as a dict {partition key: value}, as Dagster's filesystem IO manager."""
    keys = input_partition_keys(env, step, src.asset_key) or []  # type: ignore[arg-type]
    if not getattr(manager, "native_io", False):
        return io_calls.load_input(env, step, src, manager, None, keys)
    values = {}
    for key in keys:
        ctx = IOContext(env.storage_dir, env.run_id, src.step_key, src.output, src.asset_key, key)
        if not _has_output(manager, ctx):
            raise MissingInput(
                f"partition {key!r} of upstream asset {src.asset_key.to_user_string()!r} has no stored value; "  # type: ignore[union-attr]
                f"materialize it first (dagdeck materialize --select {src.step_key} --partition {key})"
            )
        values[key] = manager.load_input(ctx)
    return next(iter(values.values())) if len(values) == 1 else values


def _has_output(manager: IOManager, ctx: IOContext) -> bool:
    """Whether a stored value exists; an IO manager written for Dagster has no `has_output`, and
    then its `load_input` says so itself."""
    try:
        return manager.has_output(ctx)
    except NotImplementedError:
        return True
