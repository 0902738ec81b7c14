"""Calls into an IO manager written for Dagster (not one of the built-ins): its `handle_output` and
`load_input` get an `OutputContext` / `InputContext`, and what it raises fails the step with a
message naming the output or input, as Dagster's does.

The built-in IO managers (`native_io`) never come here: they take the cheaper `IOContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.context import StepLog
from dagdeck.core.defs.io_contexts import (
    DagsterExecutionHandleOutputError,
    DagsterExecutionLoadInputError,
    InputContext,
    OutputContext,
)
from dagdeck.core.running.plan import Source, Step


class RunEnv(Protocol):
    """What these calls read of core/running/run_env.py's RunEnv (which imports this module)."""

    run_id: str
    emit: Callable[[dict[str, Any]], None]
    resources: dict[str, Any]
    asset_metadata: Mapping[AssetKey, Any] | None
    partitions_defs: dict[AssetKey, Any]


def is_native(manager: Any) -> bool:
    """A built-in IO manager, which takes an `IOContext`."""
    return getattr(manager, "native_io", False)


def _split_mapped(name: str) -> tuple[str, str | None]:
    base, _, rest = name.partition("[")
    return (base, rest[:-1]) if rest else (name, None)


def _asset_metadata(env: RunEnv, asset_key: AssetKey | None) -> dict[str, Any]:
    """The asset's definition metadata (`@asset(metadata=...)`), as Dagster's OutputContext has it."""
    node = env.asset_metadata.get(asset_key) if asset_key is not None and env.asset_metadata else None
    return dict(node.metadata or {}) if node is not None else {}


def _input_metadata(env: RunEnv, step: Step, name: str | None) -> dict[str, Any]:
    """The input's `AssetIn(metadata=...)`, as Dagster's InputContext has it."""
    key = step.asset_key or (
        next(iter(step.output_asset_keys.values()), None) if step.output_asset_keys else None
    )
    node = env.asset_metadata.get(key) if key is not None and name and env.asset_metadata else None
    asset_in = getattr(node.definition, "ins", {}).get(name) if node is not None else None
    return dict(asset_in.metadata or {}) if asset_in is not None else {}


def output_context(
    env: RunEnv,
    step_key: str,
    out_name: str,
    asset_key: AssetKey | None,
    dagster_type: Any = None,
    log: Any = None,
) -> OutputContext:
    name, mapping_key = _split_mapped(out_name)
    return OutputContext(
        step_key=step_key,
        name=name,
        run_id=env.run_id,
        asset_key=asset_key,
        definition_metadata=_asset_metadata(env, asset_key),
        dagster_type=dagster_type,
        log=log if log is not None else StepLog(env.emit, env.run_id, step_key),
        resources=env.resources,
        mapping_key=mapping_key,
    )


def handle_output(
    env: RunEnv,
    step: Step,
    log: Any,
    manager: Any,
    out_name: str,
    asset_key: AssetKey | None,
    value: Any,
    partition_keys: list[str] | None = None,
) -> dict[str, Any]:
    """Store `value` through `manager`; returns the metadata it added (`add_output_metadata`)."""
    ctx = output_context(env, step.key, out_name, asset_key, step.output_types.get(out_name), log)
    if partition_keys is not None:
        ctx._partition_keys = partition_keys
        ctx._partitions_def = env.partitions_defs.get(asset_key) if asset_key is not None else None
    try:
        manager.handle_output(ctx, value)
    except Exception as err:
        name = out_name.partition("[")[0]
        raise DagsterExecutionHandleOutputError(
            f'Error occurred while handling output "{name}" of step "{step.key}": {type(err).__name__}: {err}'
        ) from err
    return ctx.get_logged_metadata()


def load_input(
    env: RunEnv,
    step: Step,
    src: Source,
    manager: Any,
    run_id: str | None = None,
    partition_keys: list[str] | None = None,
) -> Any:
    """Load the value `src` names through `manager` (an IO manager or an input manager);
    `partition_keys`: the upstream partitions this input reads (a partitioned upstream asset)."""
    name = next((n for n, inp in step.inputs.items() if src in inp.sources), None)
    upstream = output_context(env, src.step_key, src.output, src.asset_key)
    if run_id is not None:
        upstream.run_id = run_id
    ctx = InputContext(
        name=name,
        step_key=step.key,
        upstream_output=upstream,
        asset_key=src.asset_key,
        definition_metadata=_input_metadata(env, step, name),
        dagster_type=step.input_types.get(name) if name else None,
        log=StepLog(env.emit, env.run_id, step.key),
        resources=env.resources,
        run_id=env.run_id,
    )
    if partition_keys is not None:
        ctx._partition_keys = upstream._partition_keys = partition_keys
        ctx._partitions_def = upstream._partitions_def = env.partitions_defs.get(src.asset_key)
    try:
        return manager.load_input(ctx)
    except Exception as err:
        raise DagsterExecutionLoadInputError(
            f'Error occurred while loading input "{name or src.output}" of step "{step.key}": '
            f"{type(err).__name__}: {err}"
        ) from err
