"""A step function's return value mapped onto its outputs, and each output stored and recorded
(STEP_OUTPUT, and ASSET_MATERIALIZATION with metadata for assets)."""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.context import StepContext
from dagdeck.core.defs.io_managers import IOContext
from dagdeck.core.defs.metadata import normalize
from dagdeck.core.defs.results import MaterializeResult, Output
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.multi_asset_outputs import split_asset_outputs
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv


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
        if store_value:
            manager_key = step.outputs.get(out_name, "io_manager")
            io_ctx = IOContext(env.storage_dir, env.run_id, step.key, out_name, asset_key)
            env.io_manager(manager_key).handle_output(io_ctx, value)
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
        if asset_key is not None:
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
    return events


def split_outputs(step: Step, result: Any) -> dict[str, tuple[Any, dict[str, Any], bool]]:
    """Map a return value onto the step's outputs: (value, metadata, store it?)."""
    if step.output_asset_keys is not None:
        return split_asset_outputs(step, result)
    if step.single_output or len(step.outputs) == 1:
        name = next(iter(step.outputs))
        if isinstance(result, tuple) and result and all(isinstance(r, Output) for r in result):
            result = result[0]
        if isinstance(result, MaterializeResult):
            return {name: (None, dict(result.metadata), False)}
        if isinstance(result, Output):
            return {name: (result.value, dict(result.metadata), True)}
        return {name: (result, {}, True)}
    names = list(step.outputs)
    out: dict[str, tuple[Any, dict[str, Any], bool]] = {}
    if isinstance(result, tuple) and all(isinstance(r, Output) for r in result):
        for r in result:
            if r.output_name not in step.outputs:
                raise ValueError(
                    f"op yielded unknown output {r.output_name!r}; outputs are {', '.join(names)}"
                )
            out[r.output_name] = (r.value, dict(r.metadata), True)
        return out
    if not isinstance(result, tuple) or len(result) != len(names):
        raise ValueError(f"op has outputs {', '.join(names)}: return a tuple of {len(names)} values")
    for name, value in zip(names, result, strict=True):
        if isinstance(value, Output):
            out[name] = (value.value, dict(value.metadata), True)
        else:
            out[name] = (value, {}, True)
    return out
