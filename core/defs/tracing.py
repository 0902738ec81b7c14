"""Tracing graph bodies: while a `@graph`/`@job` body runs, calling an op records a `Node` in the
current `GraphBuilder` and returns handles to its outputs; passing a handle to another op draws an
edge. The builder only reads the ops it records, so it names their type without importing it."""

from __future__ import annotations

import contextvars
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dagdeck.core.errors import DefinitionError

OpDefinition = Any
"""An `ops.OpDefinition` (tracing must not import `ops`, which imports tracing)."""

_builder: contextvars.ContextVar[GraphBuilder | None] = contextvars.ContextVar(
    "dagdeck_graph_builder", default=None
)


def current_builder() -> GraphBuilder | None:
    return _builder.get()


GRAPH_INPUT = ""
"""The `node` of a handle that stands for an input of the traced graph itself (graph-backed assets)."""

Origin = tuple[str, str]
"""A dynamic output, as (node name, output name)."""


@dataclass(frozen=True)
class OutputHandle:
    """A node output inside a graph body; passing it to another op draws an edge."""

    node: str
    output: str
    origin: Origin | None = None
    """Inside `.map(fn)`: the dynamic output this value is one element of (directly or through
    mapped ops); the op it is passed to is mapped too."""

    @property
    def is_graph_input(self) -> bool:
        return self.node == GRAPH_INPUT

    def __iter__(self) -> Any:
        raise DefinitionError(
            f"output {self.output!r} of {self.node!r} cannot be unpacked",
            fix="declare several outputs with out={'a': Out(), 'b': Out()} and unpack those",
        )


@dataclass(frozen=True)
class DynamicHandle:
    """A dynamic output (or ops mapped over one) in a graph body: `.map(fn)` or `.collect()` it."""

    element: OutputHandle
    """What `fn` receives in `.map(fn)`: one element, carrying its origin."""

    def map(self, fn: Callable[..., Any]) -> Any:
        """Call `fn` once in the graph body with one element; every op it calls on that element
        becomes a mapped step per mapping key (`op[key]`) at run time."""
        return _as_dynamic(fn(self.element))

    def collect(self) -> CollectHandle:
        """All elements as one list input, in the order the mapping keys were yielded."""
        return CollectHandle(self.element)

    def __iter__(self) -> Any:
        raise DefinitionError(
            f"dynamic output {self.element.output!r} of {self.element.node!r} cannot be unpacked",
            fix="use .map(fn) to run ops on each element, or .collect() to gather them in a list",
        )


@dataclass(frozen=True)
class CollectHandle:
    """`.collect()` of a dynamic output: the op it is passed to gets a list."""

    element: OutputHandle


@cache
def _outputs_type(node_name: str, names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    typename = f"_{node_name}_outputs"
    if not typename.isidentifier():
        typename = "_outputs"
    return namedtuple(typename, names, rename=True)  # noqa: PYI024  (a keyword name becomes _0, ...)


def named_outputs(node_name: str, names: Sequence[str], handles: Sequence[Any]) -> tuple[Any, ...]:
    """Several outputs of an op or graph called in a graph body: a tuple to unpack in order that
    also names each output (`outs.values`), as Dagster's `_<name>_outputs` namedtuple does."""
    return _outputs_type(node_name, tuple(names))(*handles)


def _as_dynamic(result: Any) -> Any:
    """What `.map(fn)` returns: the mapped outputs of `fn`, as dynamic handles again."""
    if isinstance(result, OutputHandle) and result.origin is not None:
        return DynamicHandle(result)
    if isinstance(result, tuple):
        return (
            type(result)(*(_as_dynamic(r) for r in result))
            if hasattr(result, "_fields")
            else tuple(_as_dynamic(r) for r in result)
        )
    return result


@dataclass(frozen=True)
class InputSource:
    """Where an op input comes from; several sources (fan-in) arrive as a list, and so does a
    collected dynamic output (`collect`: its one source is the element handle)."""

    sources: tuple[OutputHandle, ...]
    fan_in: bool = False
    collect: bool = False


@dataclass
class Node:
    name: str
    op: OpDefinition
    inputs: dict[str, InputSource] = field(default_factory=dict)
    mapped_by: Origin | None = None
    """The dynamic output this node is mapped over: it runs once per mapping key."""

    @property
    def upstream_nodes(self) -> set[str]:
        return {h.node for src in self.inputs.values() for h in src.sources if not h.is_graph_input}


@dataclass
class GraphBuilder:
    owner: str
    owner_fn: Callable[..., Any]
    nodes: dict[str, Node] = field(default_factory=dict)
    prefix: tuple[str, ...] = ()
    graph_nodes: set[str] = field(default_factory=set)
    """Full names of the nested graphs traced so far."""
    config_mappings: dict[str, Any] = field(default_factory=dict)
    """Full name of a nested graph -> its `ConfigMapping`."""

    def _error(self, problem: str, fix: str | None = None) -> DefinitionError:
        return DefinitionError.at(self.owner_fn, problem, obj=self.owner, fix=fix)

    def _unique_name(self, base: str) -> str:
        full = ".".join([*self.prefix, base])
        if full not in self.nodes:
            return full
        n = 2
        while f"{full}_{n}" in self.nodes:
            n += 1
        return f"{full}_{n}"

    def add_op(
        self,
        op_def: OpDefinition,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        node_name: str | None = None,
    ) -> Any:
        name = self._unique_name(node_name or op_def.name)
        input_names = op_def.input_names
        if len(args) > len(input_names):
            raise self._error(f"op {op_def.name!r} takes {len(input_names)} inputs, got {len(args)}")
        given = dict(zip(input_names, args, strict=False))
        for k, v in kwargs.items():
            if k not in input_names:
                raise self._error(
                    f"op {op_def.name!r} has no input {k!r}",
                    fix=f"its inputs are {', '.join(input_names) or 'none'}",
                )
            given[k] = v
        node = Node(name, op_def)
        for pname, value in given.items():
            node.inputs[pname] = self._input_source(op_def, pname, value)
        node.mapped_by = self._mapped_by(node)
        self.nodes[name] = node
        handles = tuple(
            DynamicHandle(OutputHandle(name, out, (name, out)))
            if spec.is_dynamic
            else OutputHandle(name, out, node.mapped_by)
            for out, spec in op_def.outs.items()
        )
        return handles[0] if op_def.single_output else named_outputs(op_def.name, list(op_def.outs), handles)

    def _mapped_by(self, node: Node) -> Origin | None:
        """The one dynamic output `node` is mapped over, if any; Dagster's rules on mapping."""
        origins = {
            h.origin
            for src in node.inputs.values()
            if not src.collect
            for h in src.sources
            if h.origin is not None
        }
        if len(origins) > 1:
            named = " and ".join(f'"{n}:{o}"' for n, o in sorted(origins))
            raise self._error(
                f"op {node.op.name!r} cannot be downstream of more than one dynamic output. It is downstream of both {named}",
                fix="collect() one of them before passing it on",
            )
        origin = next(iter(origins), None)
        if origin is not None and any(spec.is_dynamic for spec in node.op.outs.values()):
            raise self._error(
                f"op {node.op.name!r} has a DynamicOut and is mapped over the dynamic output {origin[1]!r} of "
                f"{origin[0]!r}; dynamic mapping does not nest",
                fix="collect() the outer dynamic output first, then fan out again",
            )
        return origin

    def _input_source(self, op_def: OpDefinition, pname: str, value: Any) -> InputSource:
        if isinstance(value, OutputHandle):
            return InputSource((value,))
        if isinstance(value, CollectHandle):
            return InputSource((value.element,), collect=True)
        if isinstance(value, DynamicHandle):
            raise self._error(
                f"input {pname!r} of op {op_def.name!r} received the dynamic output {value.element.output!r} from "
                f"op {value.element.node!r} directly. Dynamic output must be unpacked by invoking map or collect",
                fix=f"write {value.element.node}_result.map({op_def.name}) or pass .collect() for a list",
            )
        if isinstance(value, list | tuple) and value:
            for i, v in enumerate(value):
                if isinstance(v, CollectHandle | DynamicHandle | list | tuple):
                    what = (
                        "a collect()ed dynamic output" if isinstance(v, CollectHandle) else type(v).__name__
                    )
                    raise self._error(
                        f"input {pname!r} of op {op_def.name!r} got a list holding {what} at index {i}; "
                        "a fan-in list can only hold outputs of other ops",
                        fix="pass the collected list to an op of its own and put that op's output in the list",
                    )
            if all(isinstance(v, OutputHandle) for v in value):
                return InputSource(tuple(value), fan_in=True)
        raise self._error(
            f"input {pname!r} of op {op_def.name!r} got {value!r}, not another op's output",
            fix="pass the result of calling another op, or a list of them for fan-in; use run config for constants",
        )

    def nested(self, name: str) -> _Nested:
        """Trace a nested graph's body under its node name (`name_2` on its second call, as ops)."""
        full = ".".join([*self.prefix, name])
        n = 1
        while (f"{full}_{n}" if n > 1 else full) in self.graph_nodes:
            n += 1
        unique = name if n == 1 else f"{name}_{n}"
        self.graph_nodes.add(".".join([*self.prefix, unique]))
        return _Nested(self, unique)


class _Nested:
    """Prefix node names with the nested graph's name while its body is traced."""

    def __init__(self, builder: GraphBuilder, name: str) -> None:
        self.builder, self.name = builder, name

    def __enter__(self) -> None:
        self.builder.prefix = (*self.builder.prefix, self.name)

    def __exit__(self, *exc: object) -> None:
        self.builder.prefix = self.builder.prefix[:-1]


@dataclass
class Traced:
    """A traced graph body: its nodes, and what the body returned (handles of the graph's outputs)."""

    nodes: dict[str, Node]
    returned: Any = None
    config_mappings: dict[str, Any] = field(default_factory=dict)
    """Full name of a nested graph -> its `ConfigMapping`."""


def trace_graph(
    owner: str, fn: Callable[..., Any], inputs: Sequence[str] = (), prefix: Sequence[str] = ()
) -> Traced:
    """Run `fn` with a builder; each name in `inputs` is passed as a handle of a graph input, and
    node names start with `prefix` (a graph-backed asset's ops are `graph.op`, as in Dagster)."""
    builder = GraphBuilder(owner, fn, prefix=tuple(prefix))
    token = _builder.set(builder)
    try:
        returned = fn(*(OutputHandle(GRAPH_INPUT, name) for name in inputs))
    finally:
        _builder.reset(token)
    # unwired inputs are checked by Definitions, which knows the resources an op may take instead
    return Traced(builder.nodes, returned, builder.config_mappings)


def trace(owner: str, fn: Callable[..., Any]) -> dict[str, Node]:
    return trace_graph(owner, fn).nodes
