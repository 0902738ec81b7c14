"""Graphs written the old way: `GraphDefinition(node_defs=[...], dependencies={...})`.

Dagster's docs still show a graph built from a dependency dict instead of a decorated body:
`{node: {input: DependencyDefinition(upstream, output)}}`, `MultiDependencyDefinition([...])` for a
fan-in list, and `NodeInvocation(def name, alias=, tags=, hook_defs=, retry_policy=)` keys for a node
under another name. Rather than a second graph model, the dict becomes a body function that calls
the nodes in dependency order, so tracing builds the same `Node`s a `@graph` body would.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.hooks import HookDefinition
from dagdeck.core.defs.ops import OpDefinition
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.errors import DefinitionError


@dataclass(frozen=True)
class DependencyDefinition:
    """An input fed by output `output` of node `node` (a node name: the alias if it has one)."""

    node: str
    output: str = "result"
    description: str | None = None


@dataclass(frozen=True)
class MultiDependencyDefinition:
    """A fan-in input: the listed outputs arrive as one list, in this order."""

    dependencies: Sequence[DependencyDefinition]

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependencies", tuple(self.dependencies))


@dataclass(frozen=True, eq=False)
class NodeInvocation:
    """A dependency-dict key: the node def `name` used as node `alias`, with node-level tags,
    hooks and retry policy. Hashed by identity (its tags are a dict)."""

    name: str
    alias: str | None = None
    tags: Mapping[str, str] | None = None
    hook_defs: Iterable[HookDefinition] | None = None
    retry_policy: RetryPolicy | None = None

    @property
    def node_name(self) -> str:
        return self.alias or self.name


@dataclass
class _PlannedNode:
    name: str
    definition: Any
    invocation: NodeInvocation
    inputs: dict[str, Any] = field(default_factory=dict)
    """Input name -> DependencyDefinition or MultiDependencyDefinition."""


Site = tuple[str | None, int | None]


def dependency_body(
    graph_name: str, node_defs: Sequence[Any], dependencies: Mapping[Any, Mapping[str, Any]], site: Site
) -> Callable[[], None]:
    """A graph body calling `node_defs` as `dependencies` wire them; checked now, as Dagster checks
    at construction. `site` (the constructor call) is where errors and the body point."""

    def error(problem: str, fix: str | None = None) -> DefinitionError:
        return DefinitionError(problem, file=site[0], line=site[1], obj=f"graph {graph_name!r}", fix=fix)

    defs: dict[str, Any] = {}
    for d in node_defs:
        name = getattr(d, "name", None)
        if not isinstance(name, str) or not hasattr(d, "alias"):
            raise error(f"node_defs holds {d!r}, not an op or graph", fix="list @op and @graph definitions")
        if name in defs and defs[name] is not d:
            raise error(f"node_defs holds two definitions named {name!r}", fix="rename one of them")
        defs[name] = d

    planned: dict[str, _PlannedNode] = {}
    invoked: set[str] = set()
    for key, inputs in dependencies.items():
        inv = key if isinstance(key, NodeInvocation) else NodeInvocation(str(key))
        if inv.name not in defs:
            raise error(
                f"dependencies name node {inv.name!r}, which is not in node_defs",
                fix=f"node_defs are {', '.join(sorted(defs)) or 'none'}",
            )
        if inv.node_name in planned:
            raise error(
                f"dependencies list node {inv.node_name!r} twice", fix="give each invocation its own alias"
            )
        invoked.add(inv.name)
        planned[inv.node_name] = _PlannedNode(inv.node_name, defs[inv.name], inv, dict(inputs or {}))
    for name, d in defs.items():  # a node def no key invokes is one node under its own name
        if name not in invoked and name not in planned:
            planned[name] = _PlannedNode(name, d, NodeInvocation(name))

    for node in planned.values():
        _check_inputs(node, planned, error)
    order = _dependency_order(planned, error)

    def body() -> None:
        handles: dict[str, dict[str, Any]] = {}
        for name in order:
            node = planned[name]
            kwargs = {
                input_name: (
                    [handles[d.node][d.output] for d in dep.dependencies]
                    if isinstance(dep, MultiDependencyDefinition)
                    else handles[dep.node][dep.output]
                )
                for input_name, dep in node.inputs.items()
            }
            handles[name] = _outputs(node, _invoke(node)(**kwargs))

    body.__wrapped__ = _located(site)  # type: ignore[attr-defined]  # where_defined/signature: the call site
    return body


def _check_inputs(node: _PlannedNode, planned: Mapping[str, _PlannedNode], error: Callable[..., Any]) -> None:
    input_names = list(node.definition.input_names)
    kind = "op" if isinstance(node.definition, OpDefinition) else "graph"
    for input_name, dep in node.inputs.items():
        if input_name not in input_names:
            raise error(
                f'Invalid dependencies: {kind} "{node.definition.name}" does not have input "{input_name}". '
                f"Available inputs: {input_names}"
            )
        if isinstance(dep, DependencyDefinition):
            deps: Sequence[Any] = [dep]
        elif isinstance(dep, MultiDependencyDefinition):
            deps = dep.dependencies
        else:
            raise error(
                f"input {input_name!r} of node {node.name!r} depends on {dep!r}",
                fix="use DependencyDefinition(node, output) or MultiDependencyDefinition([...])",
            )
        for d in deps:
            upstream = planned.get(d.node) if isinstance(d, DependencyDefinition) else None
            if upstream is None:
                raise error(
                    f'Invalid dependencies: node "{getattr(d, "node", d)}" not found in node list. '
                    f'Listed as dependency for node "{node.name}" input "{input_name}"'
                )
            outputs = _output_names(upstream.definition)
            if d.output not in outputs:
                raise error(
                    f'node "{d.node}" has no output "{d.output}" (input "{input_name}" of node "{node.name}")',
                    fix=f"its outputs are {', '.join(outputs)}",
                )


def _dependency_order(planned: Mapping[str, _PlannedNode], error: Callable[..., Any]) -> list[str]:
    """Node names, each after the nodes its inputs come from; a cycle is an error."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: visiting, 2: done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise error(
                f"dependencies form a cycle: {' -> '.join([*path, name])}", fix="remove one dependency"
            )
        state[name] = 1
        for dep in planned[name].inputs.values():
            for d in dep.dependencies if isinstance(dep, MultiDependencyDefinition) else [dep]:
                visit(d.node, [*path, name])
        state[name] = 2
        order.append(name)

    for name in planned:
        visit(name, [])
    return order


def _output_names(definition: Any) -> list[str]:
    return list(definition.outs) if isinstance(definition, OpDefinition) else list(definition.output_names)


def _invoke(node: _PlannedNode) -> Callable[..., Any]:
    """The definition as this node: invocation tags, hooks and retry policy applied, then aliased."""
    d, inv = node.definition, node.invocation
    if isinstance(d, OpDefinition):
        if inv.tags:
            d = d.tag(inv.tags)
        if inv.hook_defs:
            d = d.with_hooks(inv.hook_defs)
        if inv.retry_policy is not None:
            d = d.with_retry_policy(inv.retry_policy)
    return d.alias(node.name) if node.name != d.name else d


def _outputs(node: _PlannedNode, returned: Any) -> dict[str, Any]:
    names = _output_names(node.definition)
    if len(names) == 1:
        return {names[0]: returned}
    if isinstance(returned, dict):
        return returned
    return dict(zip(names, returned or (), strict=False))


def _located(site: Site) -> Callable[[], None]:
    """A no-argument function whose code claims `site`: the body reports the constructor call as
    where it is defined, as a decorated body reports its `def`."""

    def at_site() -> None:
        return None

    file, line = site
    if file is not None and line is not None:
        code = at_site.__code__.replace(co_filename=file, co_firstlineno=line)
        at_site = types.FunctionType(code, at_site.__globals__, "graph_definition")
    return at_site
