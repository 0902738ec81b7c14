"""Type checks of a step's inputs and outputs against their Dagster types (Dagster's errors).

Only steps with typed inputs or outputs (`Step.input_types` / `Step.output_types`, Any left out)
reach the checks, so untyped steps pay one dict test per step.
"""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.context import StepContext
from dagdeck.core.defs.logging import get_dagster_logger
from dagdeck.core.defs.types import DagsterType, TypeCheckContext, check_value, type_failure
from dagdeck.core.running.plan import Step

Outputs = dict[str, tuple[Any, dict[str, Any], bool]]


def _type_of(types: dict[str, Any], name: str) -> DagsterType | None:
    t = types.get(name)
    if t is None and name.endswith("]"):  # a dynamic element `out[key]` has its output's type
        t = types.get(name.partition("[")[0])
    return t


def check_outputs(step: Step, outputs: Outputs) -> Outputs:
    """Raise DagsterTypeCheckDidNotPass for the first output that fails its type; an output of type
    Nothing is recorded but never stored."""
    checked: Outputs = {}
    for name, (value, metadata, store) in outputs.items():
        t = _type_of(step.output_types, name)
        if t is not None and store:
            result = check_value(t, value, _context(None))
            if not result.success:
                raise type_failure(f'step output "{name}"', t, result)
            if t.is_nothing:
                store = False
        checked[name] = (value, metadata, store)
    return checked


def check_inputs(step: Step, kwargs: dict[str, Any], ctx: StepContext | None = None) -> None:
    """Raise DagsterTypeCheckDidNotPass for the first loaded input that fails its type."""
    for name, t in step.input_types.items():
        if name in kwargs:
            result = check_value(t, kwargs[name], _context(ctx))
            if not result.success:
                raise type_failure(f'step input "{name}"', t, result)


def _context(ctx: StepContext | None) -> TypeCheckContext:
    if ctx is None:  # output checks run after the step function: its context is gone
        return TypeCheckContext(log=get_dagster_logger())
    return TypeCheckContext(log=ctx.log, run_id=ctx.run_id, resources=ctx.resources)
