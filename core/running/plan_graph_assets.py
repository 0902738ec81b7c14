"""Plan steps of a graph-backed asset: one step per op of its graph (`graph.op`), as Dagster runs it.

The step of the op whose output is a graph output stores that output as the asset's value and
records the materialization (`Step.output_asset_keys`); the other ops' outputs are plain op outputs
of the run. A graph input is the upstream asset its name (or `ins=`) points at.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace

from dagdeck.core.defs.asset_graph import stable_order
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.definitions import AssetJob, Definitions
from dagdeck.core.defs.tracing import Node
from dagdeck.core.running.plan import Source, Step, StepInput, sorted_hooks
from dagdeck.core.running.plan_nodes import (
    node_inputs,
    node_output_kinds,
    skippable_nodes,
    without_order_inputs,
)


def graph_asset_steps(
    defs: Definitions,
    a: AssetsDefinition,
    selected: set[AssetKey],
    step_of: dict[AssetKey, str],
    job: AssetJob | None,
    missing: Set[AssetKey] = frozenset(),
) -> dict[str, Step]:
    """`missing`: upstream assets whose value may not exist in this run (their consumers are skipped)."""
    assert a.graph is not None
    graph = defs.asset_graph
    backing = a.graph
    own = [k for k in a.specs_by_key if k in selected]
    asset_of: dict[tuple[str, str], AssetKey] = {}
    for key in own:
        handle = backing.outputs[a.output_names_by_key[key]]
        asset_of[(handle.node, handle.output)] = key
    first = next(iter(a.specs_by_key))

    def graph_input(name: str) -> Source:
        up = graph.data_inputs[first][name]
        node = graph.assets[up]
        manager = (a.ins[name].input_manager_key if name in a.ins else None) or node.io_manager_key
        return Source(
            step_of.get(up, node.step_key),
            node.output_name,
            up,
            up in selected,
            manager,
            optional=up in missing,
        )

    def by_key(src: Source) -> Source:
        """An op output that is an asset is stored (and so loaded) under the asset's key."""
        key = asset_of.get((src.step_key, src.output))
        return replace(src, asset_key=key) if key is not None and src.asset_key is None else src

    resources = defs.resources
    outer = {step_of[u] for k in own for u in graph.upstream[k] if u in selected}
    skippable = skippable_nodes(backing.nodes)
    hooks = a.hooks | (job.hooks if job else frozenset())
    needed = _needed_outputs(backing.nodes, asset_of) if len(own) < len(a.specs_by_key) else None
    steps: dict[str, Step] = {}
    for name in stable_order({n.name: n.upstream_nodes for n in backing.nodes.values()}):
        if needed is not None and name not in needed:
            continue  # a subset: no selected asset needs this op
        node = backing.nodes[name]
        inputs = {
            p: StepInput(p, tuple(by_key(s) for s in inp.sources), inp.fan_in)
            for p, inp in node_inputs(backing.nodes, node, skippable, graph_input).items()
        }
        waits_for = without_order_inputs(node, inputs)
        dynamic_outputs, optional_outputs = node_output_kinds(node)
        assets = {o: k for (n, o), k in asset_of.items() if n == name}
        outputs = {o: spec.io_manager_key for o, spec in node.op.outs.items()}
        outputs.update({o: a.io_manager_keys_by_key.get(k, "io_manager") for o, k in assets.items()})
        unselected: tuple[str, ...] = ()
        if needed is not None and len(needed[name]) < len(outputs):
            unselected = tuple(o for o in outputs if o not in needed[name])
            outputs = {o: m for o, m in outputs.items() if o in needed[name]}
            dynamic_outputs, optional_outputs = (
                dynamic_outputs & needed[name],
                optional_outputs & needed[name],
            )
        steps[name] = Step(
            key=name,
            kind="asset" if assets else "op",
            fn=node.op.fn,
            params=node.op.params,
            inputs=inputs,
            resource_params=[
                p.name for p in node.op.params.others if p.name not in inputs and p.name in resources
            ],
            outputs=outputs,
            upstream=set(node.upstream_nodes) | outer,
            asset_key=next(iter(assets.values())) if len(assets) == 1 else None,
            op_name=node.op.name,
            retry_policy=node.op.retry_policy or a.retry_policy or (job.op_retry_policy if job else None),
            hooks=sorted_hooks(hooks | node.op.hooks),
            single_output=node.op.single_output,
            tags=node.op.tags,
            transient=a.transient,
            input_types=node.op.io_types.inputs,
            output_types=node.op.io_types.outputs,
            output_asset_keys=assets or None,
            code_versions={o: a.specs_by_key[k].code_version for o, k in assets.items()} or None,
            optional_outputs=optional_outputs,
            dynamic_outputs=dynamic_outputs,
            mapped_by=node.mapped_by,
            config_schema=node.op.config_schema,
            waits_for=waits_for,
            unselected_outputs=unselected,
        )
    return steps


def _needed_outputs(
    nodes: Mapping[str, Node], asset_of: Mapping[tuple[str, str], AssetKey]
) -> dict[str, set[str]]:
    """Node -> the outputs a subset run needs: the selected assets' and those that feed the ops
    behind them (Dagster runs only those ops; `context.selected_output_names` lists these)."""
    need: dict[str, set[str]] = {}
    for node_name, output in asset_of:
        need.setdefault(node_name, set()).add(output)
    frontier = list(need)
    while frontier:
        for src in nodes[frontier.pop()].inputs.values():
            for h in src.sources:
                if h.is_graph_input:
                    continue
                if h.node not in need:
                    need[h.node] = set()
                    frontier.append(h.node)
                need[h.node].add(h.output)
    return need
