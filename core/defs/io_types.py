"""The Dagster types of one op or asset function, read once per definition (`IOTypes`), and a
direct call of the function (a unit test) checked against them as a run checks it."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.results import MaterializeResult, Output
from dagdeck.core.defs.types import (
    ANY,
    DagsterType,
    check_value,
    output_annotation_type,
    resolve_type,
    type_failure,
)


@dataclass(frozen=True)
class IOTypes:
    """The checked types of one op or asset, worked out once per definition. Unchecked (Any)
    inputs and outputs are left out, so a definition without types checks nothing at run time."""

    inputs: dict[str, DagsterType] = field(default_factory=dict)
    """Input name -> type, for value inputs whose type is not Any."""
    outputs: dict[str, DagsterType] = field(default_factory=dict)
    """Output name -> type, for outputs whose type is not Any (Nothing outputs store nothing)."""
    nothing_inputs: frozenset[str] = frozenset()
    """Ordering-only inputs (`In(Nothing)`): wired to upstream steps, never loaded or passed."""
    output_names: tuple[str, ...] = ("result",)
    """Every output in declaration order (a returned tuple maps onto them)."""


@functools.cache
def untyped(output_names: tuple[str, ...]) -> IOTypes:
    """One shared `IOTypes` per output-name tuple for definitions that type nothing, so planning
    a thousand untyped assets allocates none."""
    return IOTypes(output_names=output_names)


def function_io_types(
    fn: Callable[..., Any] | None,
    annotations: Mapping[str, Any],
    declared_ins: Mapping[str, Any],
    declared_outs: Mapping[str, Any],
    single_output: bool,
) -> IOTypes:
    """`In(dagster_type=)`/`Out(dagster_type=)` where given, else the parameter and return
    annotations (`-> Tuple[A, B]` types an op's outputs in order), as Dagster reads them."""
    returned = _return_annotation(fn)
    names = list(declared_outs)
    if (
        returned is typing.Any
        and not any(t is not None for t in declared_ins.values())
        and not any(t is not None for t in declared_outs.values())
        and all(a is inspect.Parameter.empty for a in annotations.values())
    ):
        return untyped(tuple(names))  # nothing typed: the common case, checked by nothing
    inputs: dict[str, DagsterType] = {}
    nothing: set[str] = set()
    for name in {**annotations, **declared_ins}:
        declared = declared_ins.get(name)
        t = resolve_type(declared if declared is not None else annotations.get(name, typing.Any))
        if t.is_nothing:
            nothing.add(name)
        elif not t.is_any:
            inputs[name] = t
    by_position: list[Any] = []
    if not single_output and typing.get_origin(returned) is tuple:
        args = typing.get_args(returned)
        if len(args) == len(names) and Ellipsis not in args:
            by_position = list(args)
    outputs: dict[str, DagsterType] = {}
    for i, name in enumerate(names):
        declared = declared_outs[name]
        if declared is not None:
            t = resolve_type(declared)
        elif single_output:
            t = output_annotation_type(returned)
        else:
            t = resolve_type(by_position[i]) if by_position else ANY
        if not t.is_any:
            outputs[name] = t
    return IOTypes(inputs, outputs, frozenset(nothing), tuple(names))


def _return_annotation(fn: Callable[..., Any] | None) -> Any:
    """The return annotation, a string one (`from __future__ import annotations`) evaluated in the
    function's module; read from `__annotations__`, since a signature costs ~10x more per asset."""
    fn = inspect.unwrap(fn) if fn is not None else None
    annotations = getattr(fn, "__annotations__", None) or {}
    ann = annotations.get("return", inspect.Signature.empty)
    if isinstance(ann, str):
        try:
            ann = eval(ann, getattr(fn, "__globals__", {}))  # noqa: S307 - the user's own annotation
        except Exception:  # noqa: BLE001 - an annotation we cannot evaluate is not checked
            return typing.Any
    return typing.Any if ann is inspect.Signature.empty else ann


def _resources_from_context(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """Parameters left unfilled that name a resource of the given context (`build_op_context(
    resources={"db": ...})`) get that resource, as Dagster's direct invocation passes them."""
    resources = getattr(args[0], "resources", None)
    if resources is None:
        return kwargs
    rest = list(inspect.signature(fn).parameters.values())[len(args) :]
    extra = {
        p.name: getattr(resources, p.name)
        for p in rest
        if p.name not in kwargs and p.default is inspect.Parameter.empty and hasattr(resources, p.name)
    }
    return {**kwargs, **extra} if extra else kwargs


def call_checked(
    what: str,
    fn: Callable[..., Any],
    uses_context: bool,
    io: IOTypes,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """Call an op or asset function directly (a unit test), checking its typed inputs and outputs
    as Dagster's direct invocation does: `what` is `op "name"`."""
    if io.inputs:
        names = list(inspect.signature(fn).parameters)[1 if uses_context else 0 :]
        given = {**dict(zip(names, args[1 if uses_context else 0 :], strict=False)), **kwargs}
        for name, t in io.inputs.items():
            if name in given:
                check = check_value(t, given[name])
                if not check.success:
                    raise type_failure(f'{what} input "{name}"', t, check)
    if uses_context and args:
        kwargs = _resources_from_context(fn, args, kwargs)
    result = fn(*args, **kwargs)
    if io.outputs and not inspect.isgenerator(result):
        several = isinstance(result, tuple) and len(io.output_names) > 1
        items = zip(io.output_names, result, strict=False) if several else [(io.output_names[0], result)]
        for position_name, item in items:
            name, value = _named_value(item, position_name)
            t = io.outputs.get(name)
            if t is not None and value is not _SKIP:
                check = check_value(t, value)
                if not check.success:
                    raise type_failure(f'{what} output "{name}"', t, check)
    return result


_SKIP = object()


def _named_value(item: Any, default: str) -> tuple[str, Any]:
    if isinstance(item, Output):
        return item.output_name, item.value
    if isinstance(item, MaterializeResult):
        return default, item.value if item.has_value else _SKIP
    return default, item
