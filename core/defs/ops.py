"""`@op`: a unit of computation wired into a graph by calling it inside `@graph` or `@job`.

Tracing lives here too: while a graph body runs, calling an op records a node in the current
`GraphBuilder` instead of running it. An op must know the builder and the builder records ops, so
the two share one module rather than importing each other.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dagdeck.core.defs.asset_key import FIX, NAME_RE, name_problem
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.defs.retries import RetryPolicy
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
    hooks: frozenset[HookDefinition] = frozenset()
    """Hooks given by `with_hooks`, run after each of this op's steps."""

    @property
    def input_names(self) -> list[str]:
        return [p.name for p in self.params.others]

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is None:
            return self.fn(*args, **kwargs)
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


def _check_name(what: str, value: object, fn: Callable[..., Any], obj: str) -> None:
    """Dagster's name rule: op, output and alias names become step keys and paths under storage/."""
    problem = name_problem(value, NAME_RE)
    if problem:
        file, line = where_defined(fn)
        raise DefinitionError(f"{what} {problem}", file=file, line=line, obj=obj, fix=FIX[NAME_RE])


# -- tracing graph bodies -----------------------------------------------------------------------

_builder: contextvars.ContextVar[GraphBuilder | None] = contextvars.ContextVar("dagdeck_graph_builder", default=None)


def current_builder() -> GraphBuilder | None:
    return _builder.get()


@dataclass(frozen=True)
class OutputHandle:
    """A node output inside a graph body; passing it to another op draws an edge."""

    node: str
    output: str

    def __iter__(self) -> Any:
        raise DefinitionError(
            f"output {self.output!r} of {self.node!r} cannot be unpacked",
            fix="declare several outputs with out={'a': Out(), 'b': Out()} and unpack those",
        )


@dataclass(frozen=True)
class InputSource:
    """Where an op input comes from; several sources (fan-in) arrive as a list."""

    sources: tuple[OutputHandle, ...]
    fan_in: bool = False


@dataclass
class Node:
    name: str
    op: OpDefinition
    inputs: dict[str, InputSource] = field(default_factory=dict)

    @property
    def upstream_nodes(self) -> set[str]:
        return {h.node for src in self.inputs.values() for h in src.sources}


@dataclass
class GraphBuilder:
    owner: str
    owner_fn: Callable[..., Any]
    nodes: dict[str, Node] = field(default_factory=dict)
    prefix: tuple[str, ...] = ()

    def _error(self, problem: str, fix: str | None = None) -> DefinitionError:
        file, line = where_defined(self.owner_fn)
        return DefinitionError(problem, file=file, line=line, obj=self.owner, fix=fix)

    def _unique_name(self, base: str) -> str:
        full = ".".join([*self.prefix, base])
        if full not in self.nodes:
            return full
        n = 2
        while f"{full}_{n}" in self.nodes:
            n += 1
        return f"{full}_{n}"

    def add_op(
        self, op_def: OpDefinition, args: tuple[Any, ...], kwargs: dict[str, Any], node_name: str | None = None
    ) -> Any:
        name = self._unique_name(node_name or op_def.name)
        input_names = op_def.input_names
        if len(args) > len(input_names):
            raise self._error(f"op {op_def.name!r} takes {len(input_names)} inputs, got {len(args)}")
        given = dict(zip(input_names, args, strict=False))
        for k, v in kwargs.items():
            if k not in input_names:
                raise self._error(
                    f"op {op_def.name!r} has no input {k!r}", fix=f"its inputs are {', '.join(input_names) or 'none'}"
                )
            given[k] = v
        node = Node(name, op_def)
        for pname, value in given.items():
            node.inputs[pname] = self._input_source(op_def, pname, value)
        self.nodes[name] = node
        if op_def.single_output:
            return OutputHandle(name, "result")
        handles = tuple(OutputHandle(name, out) for out in op_def.outs)
        return handles

    def _input_source(self, op_def: OpDefinition, pname: str, value: Any) -> InputSource:
        if isinstance(value, OutputHandle):
            return InputSource((value,))
        if isinstance(value, list | tuple) and value and all(isinstance(v, OutputHandle) for v in value):
            return InputSource(tuple(value), fan_in=True)
        raise self._error(
            f"input {pname!r} of op {op_def.name!r} got {value!r}, not another op's output",
            fix="pass the result of calling another op, or a list of them for fan-in; use run config for constants",
        )

    def nested(self, name: str) -> _Nested:
        return _Nested(self, name)


class _Nested:
    """Prefix node names with the nested graph's name while its body is traced."""

    def __init__(self, builder: GraphBuilder, name: str) -> None:
        self.builder, self.name = builder, name

    def __enter__(self) -> None:
        self.builder.prefix = (*self.builder.prefix, self.name)

    def __exit__(self, *exc: object) -> None:
        self.builder.prefix = self.builder.prefix[:-1]


def trace(owner: str, fn: Callable[..., Any]) -> dict[str, Node]:
    builder = GraphBuilder(owner, fn)
    token = _builder.set(builder)
    try:
        fn()
    finally:
        _builder.reset(token)
    # unwired inputs are checked by Definitions, which knows the resources an op may take instead
    return builder.nodes
