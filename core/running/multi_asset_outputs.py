"""A multi-asset step's result mapped onto its outputs: a tuple in output order, or `Output` /
`MaterializeResult` items naming their output or asset key (Dagster's forms)."""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.results import DagsterStepOutputNotFoundError, MaterializeResult, Output
from dagdeck.core.running.op_outputs import check_tuple_selection, unselected_output_error
from dagdeck.core.running.plan import Step

Outputs = dict[str, tuple[Any, dict[str, Any], bool]]


def split_asset_outputs(step: Step, result: Any) -> Outputs:
    """(value, metadata, store it?) per output; every required output must be produced."""
    assert step.output_asset_keys is not None
    names = list(step.outputs)
    items = result if isinstance(result, tuple) else (result,)
    out: Outputs = {}
    if items and all(isinstance(r, Output | MaterializeResult) for r in items):
        for r in items:
            name = _output_of(step, r)
            if name not in step.outputs:
                if name in step.unselected_outputs:  # a subset graph-backed asset's op
                    raise unselected_output_error(step, name)
                continue  # an output this run did not select
            if isinstance(r, Output):
                out[name] = (r.value, dict(r.metadata), True)
            else:
                out[name] = (None, dict(r.metadata or {}), False)
    elif len(names) == 1 and not isinstance(result, tuple):
        out[names[0]] = (result, {}, True)
    elif isinstance(result, tuple) and len(result) == len(names):
        out = {name: (value, {}, True) for name, value in zip(names, result, strict=True)}
    else:
        check_tuple_selection(step, result)
        raise ValueError(
            f"multi_asset {step.op_name} has outputs {', '.join(names)}: return a tuple of {len(names)} values "
            "or yield Output(value, output_name=...) / MaterializeResult(asset_key=...) for each"
        )
    missing = sorted(step.required_outputs - set(out))
    if missing:
        raise DagsterStepOutputNotFoundError(
            f'Core compute for op "{step.op_name}" did not return an output for non-optional output "{missing[0]}"'
        )
    return out


def _output_of(step: Step, r: Output | MaterializeResult) -> str:
    assert step.output_asset_keys is not None
    names = list(step.outputs)
    if isinstance(r, Output):
        if r.output_name in step.outputs or r.output_name in step.required_outputs or r.output_name in step.unselected_outputs:
            return r.output_name
        if r.output_name == "result" and len(names) == 1:
            return names[0]
        raise ValueError(
            f"multi_asset {step.op_name} yielded unknown output {r.output_name!r}; outputs are {', '.join(names)}"
        )
    if r.asset_key is None:
        if len(names) == 1:
            return names[0]
        raise ValueError(
            f"multi_asset {step.op_name}: MaterializeResult needs asset_key= when the step has several assets"
        )
    key = r.asset_key if isinstance(r.asset_key, AssetKey) else AssetKey.from_coercible(r.asset_key)
    for name, k in step.output_asset_keys.items():
        if k == key:
            return name
    raise ValueError(
        f"multi_asset {step.op_name} returned a MaterializeResult for {key.to_user_string()!r}, which is not "
        f"one of its selected assets ({', '.join(k.to_user_string() for k in step.output_asset_keys.values())})"
    )
