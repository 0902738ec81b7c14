"""Calling a step function: its typed inputs checked, Dagster loggers routed to its event log, and
a generator run to its end with each yielded event recorded when it comes (as Dagster does, so the
events before a failure are kept)."""

from __future__ import annotations

import inspect
from typing import Any

from dagdeck.core.defs.context import StepContext
from dagdeck.core.defs.logging import _current_log
from dagdeck.core.defs.results import STEP_EVENT_TYPES
from dagdeck.core.running.plan import Step
from dagdeck.core.running.type_checks import check_inputs


class Yielded(tuple):  # type: ignore[type-arg]
    """What a generator step yielded besides events, in order: outputs name themselves."""


def call_step_fn(step: Step, ctx: StepContext, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The step function's result; a generator's yields as `Yielded`."""
    if step.input_types:
        check_inputs(step, kwargs, ctx)
    token = _current_log.set(ctx.log)
    try:
        result = step.fn(*args, **kwargs)
        if inspect.isgenerator(result):
            return _drain(result, ctx)
        return result
    finally:
        _current_log.reset(token)


def _drain(result: Any, ctx: StepContext) -> Yielded:
    kept: list[Any] = []
    for item in result:
        if isinstance(item, STEP_EVENT_TYPES):
            ctx.log_event(item)
        else:
            kept.append(item)
    return Yielded(kept)
