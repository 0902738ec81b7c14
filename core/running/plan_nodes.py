"""Traced graph nodes as plan steps: what op jobs and graph-backed assets share.

An input from another node becomes a `Source`; one that reaches a dynamic output carries a
`DynamicLink` (one element, the same-key instance of a mapped step, or all of them collected), and
one from an `Out(is_required=False)` is marked optional so the scheduler can skip its consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dagdeck.core.defs.tracing import InputSource, Node, OutputHandle
from dagdeck.core.running.plan import DynamicLink, LinkKind, Source, StepInput

GraphInputSource = Callable[[str], Source]
"""How an input of the traced graph itself is sourced (graph-backed assets: an upstream asset)."""


def node_inputs(
    nodes: Mapping[str, Node],
    node: Node,
    skippable: set[str],
    graph_input: GraphInputSource | None = None,
) -> dict[str, StepInput]:
    """`skippable`: nodes that may be skipped for a missing input (`skippable_nodes`)."""
    return {
        param: StepInput(
            param, tuple(_source(nodes, h, src, skippable, graph_input) for h in src.sources), src.fan_in
        )
        for param, src in node.inputs.items()
    }


def without_order_inputs(node: Node, inputs: dict[str, StepInput]) -> tuple[Source, ...]:
    """Drop the node's `In(Nothing)` inputs from `inputs` (ordering only: an upstream edge, nothing
    loaded); return their optional sources, which skip the step when not yielded."""
    waits: list[Source] = []
    for p in node.op.io_types.nothing_inputs:
        inp = inputs.pop(p, None)
        if inp is not None:
            waits.extend(s for s in inp.sources if s.optional)
    return tuple(waits)


def skippable_nodes(nodes: Mapping[str, Node]) -> set[str]:
    """Nodes that may be skipped because an output they need is not yielded: an input from an
    optional output or from another such node (a fan-in input only when all its sources may be
    missing). Their consumers treat their outputs as optional, as Dagster does."""
    out: set[str] = set()
    for name, node in nodes.items():  # traced in call order, so upstream nodes come first
        for src in node.inputs.values():
            if src.collect:
                continue
            missing = [_may_be_missing(nodes, h, out) for h in src.sources]
            if all(missing) if src.fan_in else missing[0]:
                out.add(name)
                break
    return out


def _may_be_missing(nodes: Mapping[str, Node], h: OutputHandle, skippable: set[str]) -> bool:
    if h.is_graph_input:
        return False
    spec = nodes[h.node].op.outs[h.output]
    return (not spec.is_required and not spec.is_dynamic) or h.node in skippable


def _source(
    nodes: Mapping[str, Node],
    h: OutputHandle,
    src: InputSource,
    skippable: set[str],
    graph_input: GraphInputSource | None,
) -> Source:
    if h.is_graph_input:
        if graph_input is None:
            raise ValueError(f"graph input {h.output!r} has no source")
        return graph_input(h.output)
    spec = nodes[h.node].op.outs[h.output]
    link = None
    if h.origin is not None:
        if src.collect:
            kind = LinkKind.COLLECT
        elif (h.node, h.output) == h.origin:
            kind = LinkKind.ELEMENT
        else:
            kind = LinkKind.MAPPED
        link = DynamicLink(kind, h.origin)
    return Source(
        h.node,
        h.output,
        io_manager_key=spec.io_manager_key,
        dynamic=link,
        optional=_may_be_missing(nodes, h, skippable),
    )


def node_output_kinds(node: Node) -> tuple[frozenset[str], frozenset[str]]:
    """(dynamic outputs, optional outputs) of a node's op."""
    outs = node.op.outs
    dynamic = frozenset(o for o, spec in outs.items() if spec.is_dynamic)
    optional = frozenset(o for o, spec in outs.items() if not spec.is_required and not spec.is_dynamic)
    return dynamic, optional
