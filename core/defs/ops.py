"""`@op`: a unit of computation wired into a graph by calling it inside `@graph` or `@job`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.defs.results import RetryPolicy
from dagdeck.core.errors import where_defined


@dataclass(frozen=True)
class In:
    dagster_type: Any = None
    description: str | None = None
    default_value: Any = None


@dataclass(frozen=True)
class Out:
    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str = "io_manager"


@dataclass(eq=False)
class OpDefinition:
    name: str
    fn: Callable[..., Any]
    params: FunctionParams
    ins: dict[str, In] = field(default_factory=dict)
    outs: dict[str, Out] = field(default_factory=lambda: {"result": Out()})
    description: str | None = None
    retry_policy: RetryPolicy | None = None
    tags: dict[str, str] = field(default_factory=dict)
    single_output: bool = True

    @property
    def input_names(self) -> list[str]:
        return [p.name for p in self.params.others]

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from dagdeck.core.defs.composition import current_builder

        builder = current_builder()
        if builder is None:
            return self.fn(*args, **kwargs)
        return builder.add_op(self, args, kwargs)

    def alias(self, name: str) -> AliasedOp:
        return AliasedOp(self, name)

    def __repr__(self) -> str:
        return f"<op {self.name}>"


@dataclass
class AliasedOp:
    """`my_op.alias("other")(...)` inside a graph: the same op under another node name."""

    op: OpDefinition
    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from dagdeck.core.defs.composition import current_builder

        builder = current_builder()
        if builder is None:
            return self.op.fn(*args, **kwargs)
        return builder.add_op(self.op, args, kwargs, node_name=self.name)


def op(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    description: str | None = None,
    retry_policy: RetryPolicy | None = None,
    tags: Mapping[str, str] | None = None,
    required_resource_keys: Sequence[str] | None = None,
) -> Any:
    """Declare an op. `out` may be one `Out` or a dict of named outputs (return a tuple)."""

    def build(f: Callable[..., Any]) -> OpDefinition:
        if isinstance(out, Mapping):
            outs, single = dict(out), False
        else:
            outs, single = {"result": out or Out()}, True
        doc = inspect.cleandoc(f.__doc__) if f.__doc__ else None
        return OpDefinition(
            name=name or f.__name__,
            fn=f,
            params=read_params(f),
            ins=dict(ins or {}),
            outs=outs,
            description=description or doc,
            retry_policy=retry_policy,
            tags=dict(tags or {}),
            single_output=single,
        )

    if fn is not None:
        return build(fn)
    return build
