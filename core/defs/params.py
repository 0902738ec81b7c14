"""How a step function's parameters are read: context, config, resources, upstream values."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import FunctionType
from typing import Any

from dagdeck.core.defs.config import Config


@dataclass(frozen=True)
class Param:
    name: str
    annotation: Any
    has_default: bool


@dataclass(frozen=True)
class FunctionParams:
    uses_context: bool
    config_type: type[Config] | None
    others: tuple[Param, ...]
    """Every parameter that is neither `context` nor `config`: upstream values or resources."""


def read_params(fn: Callable) -> FunctionParams:
    uses_context = False
    config_type: type[Config] | None = None
    others: list[Param] = []
    for index, (name, ann, has_default) in enumerate(_parameters(fn)):
        if index == 0 and (name == "context" or _is_context_annotation(ann)):
            uses_context = True
            continue
        if name == "config":
            config_type = ann if isinstance(ann, type) and issubclass(ann, Config) else Config
            continue
        others.append(Param(name, ann, has_default))
    return FunctionParams(uses_context, config_type, tuple(others))


def _parameters(fn: Callable) -> list[tuple[str, Any, bool]]:
    """(name, annotation, has default) of each named parameter (not `*args`/`**kwargs`).

    A plain function without string annotations is read from its code object: `inspect.signature`
    costs ~4 us a function, a quarter of what loading an asset costs. Anything else (wrapped,
    partial, callable object, `from __future__ import annotations`) goes through `inspect`."""
    if isinstance(fn, FunctionType) and not fn.__dict__.keys() & {"__wrapped__", "__signature__"}:
        annotations = fn.__annotations__
        if annotations and any(isinstance(a, str) for a in annotations.values()):
            return _signature_parameters(fn)
        code = fn.__code__
        positional = code.co_argcount
        names = code.co_varnames[: positional + code.co_kwonlyargcount]
        first_default = positional - len(fn.__defaults__ or ())
        kw_defaults = fn.__kwdefaults__ or {}
        empty = inspect.Parameter.empty
        return [
            (
                name,
                annotations.get(name, empty) if annotations else empty,
                i >= first_default if i < positional else name in kw_defaults,
            )
            for i, name in enumerate(names)
        ]
    return _signature_parameters(fn)


def _signature_parameters(fn: Callable) -> list[tuple[str, Any, bool]]:
    try:
        # resolves string annotations from `from __future__ import annotations` modules
        sig = inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, SyntaxError):
        sig = inspect.signature(fn)
    return [
        (p.name, p.annotation, p.default is not p.empty)
        for p in sig.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _is_context_annotation(ann: Any) -> bool:
    if ann is inspect.Parameter.empty:
        return False
    from dagdeck.core.defs.context import StepContext  # AssetExecutionContext is an alias named StepContext

    if isinstance(ann, type) and issubclass(ann, StepContext):
        return True
    name = getattr(ann, "__name__", None) or (ann if isinstance(ann, str) else "")
    return isinstance(name, str) and name.endswith("ExecutionContext")
