"""`@op`: a unit of computation wired into a graph by calling it inside `@graph` or `@job`.

Calling an op while a graph body is traced records a node in the current `GraphBuilder`
(`tracing.py`) instead of running it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from dagdeck.core.cached import cached_property
from dagdeck.core.defs.asset_key import FIX, NAME_RE, name_problem
from dagdeck.core.defs.config_mapping import configure
from dagdeck.core.defs.config_schema import read_config_schema
from dagdeck.core.defs.config_types import Field
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.io_types import IOTypes, call_checked, function_io_types
from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.defs.tracing import current_builder
from dagdeck.core.errors import DefinitionError, where_defined


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
    """False: the op may not yield this output; ops that consume it are then skipped."""
    io_manager_key: str = "io_manager"

    is_dynamic: ClassVar[bool] = False
    """True for `DynamicOut` (core/defs/dynamic.py), which this module cannot import."""


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
    hooks: frozenset[HookDefinition] = frozenset()
    """Hooks given by `with_hooks`, run after each of this op's steps."""
    config_schema: Field | None = None
    """`config_schema=`: run config reaches `context.op_config` through it."""
    required_resource_keys: frozenset[str] = frozenset()
    """`required_resource_keys=`: resources its steps read as `context.resources.<key>`."""

    def configured(
        self,
        config_or_config_fn: Any,
        name: str | None = None,
        config_schema: Any = None,
        description: str | None = None,
    ) -> OpDefinition:
        """A copy named `name` whose config is fixed, or computed from a smaller `config_schema`."""
        return configure(
            self, config_or_config_fn, name, config_schema, description=description or self.description
        )

    @property
    def input_names(self) -> list[str]:
        """Parameters that take values, then ordering-only `In(Nothing)` inputs."""
        names = [p.name for p in self.params.others]
        return names + [n for n in self.ins if n in self.io_types.nothing_inputs and n not in names]

    @cached_property
    def io_types(self) -> IOTypes:
        """Checked Dagster types of inputs and outputs (`In`/`Out` dagster_type, else annotations)."""
        return function_io_types(
            self.fn,
            {p.name: p.annotation for p in self.params.others},
            {n: i.dagster_type for n, i in self.ins.items()},
            {n: o.dagster_type for n, o in self.outs.items()},
            self.single_output,
        )

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is None:
            return call_checked(
                f'op "{self.name}"', self.fn, self.params.uses_context, self.io_types, args, kwargs
            )
        return builder.add_op(self, args, kwargs)

    def alias(self, name: str) -> AliasedOp:
        builder = current_builder()
        if builder is not None and name_problem(name, NAME_RE):  # point at the graph that gives the alias
            raise builder._error(f"alias {name_problem(name, NAME_RE)}", fix=FIX[NAME_RE])
        _check_name("alias", name, self.fn, f"op {self.name}")
        return AliasedOp(self, name)

    # invocation modifiers: `my_op.tag({...}).with_hooks({...})()` inside a graph changes that node only
    def tag(self, tags: Mapping[str, str] | None) -> OpDefinition:
        """This op with `tags` added (overriding tags of the same name)."""
        return replace(self, tags={**self.tags, **dict(tags or {})})

    def with_retry_policy(self, retry_policy: RetryPolicy) -> OpDefinition:
        """This op retried by `retry_policy` instead of its own or the job's."""
        return replace(self, retry_policy=retry_policy)

    def with_hooks(self, hook_defs: Iterable[HookDefinition]) -> OpDefinition:
        """This op with `hook_defs` run after its steps, besides the job's hooks."""
        return replace(self, hooks=self.hooks | hook_set(hook_defs, f"op {self.name!r}", self.fn))

    def __repr__(self) -> str:
        return f"<op {self.name}>"


@dataclass
class AliasedOp:
    """`my_op.alias("other")(...)` inside a graph: the same op under another node name."""

    op: OpDefinition
    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is None:
            return self.op.fn(*args, **kwargs)
        return builder.add_op(self.op, args, kwargs, node_name=self.name)

    def alias(self, name: str) -> AliasedOp:
        return self.op.alias(name)

    def tag(self, tags: Mapping[str, str] | None) -> AliasedOp:
        return AliasedOp(self.op.tag(tags), self.name)

    def with_retry_policy(self, retry_policy: RetryPolicy) -> AliasedOp:
        return AliasedOp(self.op.with_retry_policy(retry_policy), self.name)

    def with_hooks(self, hook_defs: Iterable[HookDefinition]) -> AliasedOp:
        return AliasedOp(self.op.with_hooks(hook_defs), self.name)


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
    config_schema: Any = None,
) -> Any:
    """Declare an op. `out` may be one `Out` or a dict of named outputs (return a tuple)."""

    def build(f: Callable[..., Any]) -> OpDefinition:
        if isinstance(out, Mapping):
            outs, single = dict(out), False
        else:
            outs, single = {"result": out or Out()}, True
        for what, value in [("op name", name or f.__name__), *(("output name", o) for o in outs)]:
            _check_name(what, value, f, f"op {f.__name__}")
        doc = inspect.cleandoc(f.__doc__) if f.__doc__ else None
        params = read_params(f)
        return OpDefinition(
            config_schema=read_config_schema(config_schema, f, params, f"op {f.__name__}"),
            name=name or f.__name__,
            fn=f,
            params=params,
            ins=dict(ins or {}),
            outs=outs,
            description=description or doc,
            retry_policy=retry_policy,
            tags=dict(tags or {}),
            single_output=single,
            required_resource_keys=frozenset(required_resource_keys or ()),
        )

    if fn is not None:
        return build(fn)
    return build


def _check_name(what: str, value: object, fn: Callable[..., Any], obj: str) -> None:
    """Dagster's name rule: op, output and alias names become step keys and paths under storage/."""
    problem = name_problem(value, NAME_RE)
    if problem:
        raise DefinitionError.at(fn, f"{what} {problem}", obj=obj, fix=FIX[NAME_RE])
