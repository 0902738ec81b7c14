"""How a step function's parameters are read: context, config, resources, upstream values."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
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
    try:
        # resolves string annotations from `from __future__ import annotations` modules
        sig = inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, SyntaxError):
        sig = inspect.signature(fn)
    uses_context = False
    config_type: type[Config] | None = None
    others: list[Param] = []
    for index, p in enumerate(sig.parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        ann = p.annotation
        if index == 0 and (p.name == "context" or _is_context_annotation(ann)):
            uses_context = True
            continue
        if p.name == "config":
            config_type = ann if isinstance(ann, type) and issubclass(ann, Config) else Config
            continue
        others.append(Param(p.name, ann, p.default is not p.empty))
    return FunctionParams(uses_context, config_type, tuple(others))


def _is_context_annotation(ann: Any) -> bool:
    from dagdeck.core.defs.context import StepContext  # AssetExecutionContext is an alias named StepContext

    if isinstance(ann, type) and issubclass(ann, StepContext):
        return True
    name = getattr(ann, "__name__", None) or (ann if isinstance(ann, str) else "")
    return isinstance(name, str) and name.endswith("ExecutionContext")
