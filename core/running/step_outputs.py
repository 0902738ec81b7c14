"""A step function's return value mapped onto its outputs, and each output stored and recorded
(STEP_OUTPUT, and ASSET_MATERIALIZATION with metadata for assets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagdeck.core.defs.context import StepContext
from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext
from dagdeck.core.defs.metadata import MetadataValue, normalize
from dagdeck.core.defs.results import (
    STEP_EVENT_TYPES,
    DagsterInvariantViolationError,
    DagsterStepOutputNotFoundError,
    MaterializeResult,
    Output,
)
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running import io_calls
from dagdeck.core.running.multi_asset_outputs import split_asset_outputs
from dagdeck.core.running.op_outputs import (
    check_tuple_selection,
    record_yielded,
    split_yielded,
    unselected_output_error,
)
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv
from dagdeck.core.running.run_partitions import UNPARTITIONED_RUN, output_partition_keys
from dagdeck.core.running.step_call import Yielded
from dagdeck.core.running.type_checks import check_outputs


def _akey(step: Step) -> str | None:
    return step.asset_key.to_user_string() if step.asset_key else None


def store_outputs(
    step: Step, env: RunEnv, ctx: StepContext, outputs: dict[str, tuple[Any, dict[str, Any], bool]]
) -> list[dict[str, Any]]:
    """Hand each output to its IO manager; return the events to emit once all are stored."""
    events: list[dict[str, Any]] = []
    for out_name, (value, metadata, store_value) in outputs.items():
        metadata = {**metadata, **ctx.output_metadata.get(out_name, {})}
        asset_key = step.output_asset_keys.get(out_name) if step.output_asset_keys is not None else step.asset_key
        akey = asset_key.to_user_string() if asset_key is not None else None
        pkeys = output_partition_keys(env, asset_key) if env.partition is not None else None
        if pkeys is None and env.partitions_defs and asset_key in env.partitions_defs:
            raise DagsterInvariantViolationError(UNPARTITIONED_RUN)
        if store_value:
            manager_key = step.outputs.get(out_name.partition("[")[0], "io_manager")  # `out[key]`: dynamic
            manager = env.io_manager(manager_key)
            if getattr(manager, "native_io", False):
                pkey = one_partition(pkeys, manager) if pkeys is not None else None
                io_ctx = IOContext(env.storage_dir, env.run_id, step.key, out_name, asset_key, pkey)
                stored_at = manager.handle_output(io_ctx, value)
                if asset_key is not None and isinstance(manager, FilesystemIOManager) and isinstance(stored_at, Path):
                    metadata["path"] = MetadataValue.path(stored_at)  # as Dagster's filesystem IO manager (it wins)
            else:  # an IO manager written for Dagster: OutputContext, its added metadata recorded
                metadata.update(
                    io_calls.handle_output(env, step, ctx.log, manager, out_name, asset_key, value, pkeys)
                )
            if env.keep_values:
                with env.values_lock:
                    env.values[(step.key, out_name)] = value
        events.append(
            make_event(
                EventType.STEP_OUTPUT,
                env.run_id,
                step_key=step.key,
                asset_key=akey,
                output=out_name,
            )
        )
        if asset_key is not None and pkeys is not None:  # one materialization per partition, as Dagster
            events.extend(partition_materializations(step, env, akey, out_name, metadata, pkeys))
        elif asset_key is not None:
            events.append(
                make_event(
                    EventType.ASSET_MATERIALIZATION,
                    env.run_id,
                    step_key=step.key,
                    asset_key=akey,
                    message=f"materialized {akey}",
                    metadata=normalize(metadata, env.metadata_max_bytes),
                    code_version=step.code_versions.get(out_name) if step.code_versions else step.code_version,
                )
            )
        elif metadata:
            events[-1]["data"]["metadata"] = normalize(metadata, env.metadata_max_bytes)
    if step.dynamic_outputs or step.optional_outputs:
        record_yielded(step, env, outputs)  # what the scheduler expands and skips by
    return events


def one_partition(pkeys: list[str], manager: Any) -> str:
    """The one partition a built-in IO manager stores a value under: a range run's single value
    cannot be split into its partitions (Dagster's filesystem IO manager refuses it too)."""
    if len(pkeys) != 1:
        raise DagsterInvariantViolationError(
            f"The current IO manager {type(manager)} does not support persisting an output associated with "
            "multiple partitions. This error is likely occurring because a backfill was launched using the "
            "'single run' option. Instead, launch the backfill with a multi-run backfill policy. You can also "
            "avoid this error by opting out of IO managers entirely by setting the return type of your "
            "asset/op to `None`."
        )
    return pkeys[0]


def partition_materializations(
    step: Step, env: RunEnv, akey: str | None, out_name: str, metadata: dict[str, Any], pkeys: list[str]
) -> list[dict[str, Any]]:
    normalized = normalize(metadata, env.metadata_max_bytes)
    code_version = step.code_versions.get(out_name) if step.code_versions else step.code_version
    return [
        make_event(
            EventType.ASSET_MATERIALIZATION,
            env.run_id,
            step_key=step.key,
            asset_key=akey,
            message=f"materialized {akey} partition {key}",
            metadata=normalized,
            code_version=code_version,
            partition=key,
        )
        for key in pkeys
    ]


def split_outputs(step: Step, result: Any) -> dict[str, tuple[Any, dict[str, Any], bool]]:
    """Map a return value (or what a generator yielded, see `drain`) onto the step's outputs:
    (value, metadata, store it?); typed outputs are checked here, before anything is stored."""
    if isinstance(result, STEP_EVENT_TYPES):
        raise DagsterInvariantViolationError(
            f'Error in op "{step.op_name}": If you are returning an AssetMaterialization or an ExpectationResult '
            "from op you must yield them directly, or log them using the context.log_event method to avoid "
            "ambiguity with an implied result from returning a value."
        )
    if step.output_asset_keys is not None and not step.single_output:  # a graph asset's op: single
        outputs = split_asset_outputs(step, result)
    elif step.dynamic_outputs or step.optional_outputs:
        outputs = split_yielded(step, result)
    elif isinstance(result, Yielded):
        outputs = _yielded_outputs(step, result)
    elif step.single_output or (len(step.outputs) == 1 and not step.unselected_outputs):
        outputs = {next(iter(step.outputs)): _one(step, result)}
    else:
        outputs = _returned_tuple(step, result)
    if step.output_types:
        outputs = check_outputs(step, outputs)
    return outputs


def _one(step: Step, result: Any) -> tuple[Any, dict[str, Any], bool]:
    name = next(iter(step.outputs))
    if isinstance(result, MaterializeResult):
        return (result.value, dict(result.metadata), True) if result.has_value else (None, dict(result.metadata), False)
    if isinstance(result, Output):
        if result.output_name not in (name, "result"):
            raise DagsterInvariantViolationError(
                f"Bad state: Output was explicitly named {result.output_name!r}, which does not match the output "
                f"definition specified for position 0: {name!r}."
            )
        return (result.value, dict(result.metadata), True)
    return (result, {}, True)


def _yielded_outputs(step: Step, items: Yielded) -> dict[str, tuple[Any, dict[str, Any], bool]]:
    """Each yielded `Output` names its output; every required output must have been yielded."""
    out: dict[str, tuple[Any, dict[str, Any], bool]] = {}
    names = list(step.outputs)
    for item in items:
        if isinstance(item, MaterializeResult) and len(names) == 1:
            out[names[0]] = _one(step, item)
            continue
        if not isinstance(item, Output):
            raise DagsterInvariantViolationError(
                f'Compute function for op "{step.op_name}" yielded a value of type {type(item)} rather than an '
                "instance of Output, AssetMaterialization, or ExpectationResult. Values yielded by ops must be "
                "wrapped in one of these types. If your op has a single output and yields no other events, you "
                "may want to use `return` instead of `yield` in the body of your op compute function."
            )
        name = item.output_name
        if name == "result" and len(names) == 1:
            name = names[0]
        if name not in step.outputs:
            if name in step.unselected_outputs:
                raise unselected_output_error(step, name)
            raise DagsterInvariantViolationError(
                f'Core compute for op "{step.op_name}" returned an output "{item.output_name}" that does not exist. '
                f"The available outputs are {names}"
            )
        if name in out:
            raise DagsterInvariantViolationError(
                f'Compute for op "{step.op_name}" returned an output "{name}" multiple times'
            )
        out[name] = (item.value, dict(item.metadata), True)
    for name in names:
        if name not in out and name not in step.optional_outputs:
            raise DagsterStepOutputNotFoundError(
                f'Core compute for op "{step.op_name}" did not return an output for non-optional output "{name}"'
            )
    return out


def _returned_tuple(step: Step, result: Any) -> dict[str, tuple[Any, dict[str, Any], bool]]:
    names = list(step.outputs)
    if not isinstance(result, tuple):
        raise DagsterInvariantViolationError(
            f'op "{step.op_name}" has multiple outputs, but only one output was returned of type {type(result)}. '
            "When using multiple outputs, either yield each output, or return a tuple containing a value for "
            "each output."
        )
    if len(result) != len(names):
        check_tuple_selection(step, result)
        raise DagsterInvariantViolationError(
            f'Length mismatch between returned tuple of outputs and number of output defs on op "{step.op_name}". '
            f"Output tuple has {len(result)} outputs, while op has {len(names)} outputs."
        )
    out: dict[str, tuple[Any, dict[str, Any], bool]] = {}
    for position, (name, value) in enumerate(zip(names, result, strict=True)):
        if isinstance(value, Output):  # matched by position; a name, if given, must be that output's
            if value.output_name not in (name, "result"):
                raise DagsterInvariantViolationError(
                    f"Bad state: Output was explicitly named {value.output_name!r}, which does not match the "
                    f"output definition specified for position {position}: {name!r}."
                )
            out[name] = (value.value, dict(value.metadata), True)
        else:
            out[name] = (value, {}, True)
    return out
