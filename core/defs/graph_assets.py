"""Graph-backed assets: `@graph_asset` and `@graph_multi_asset` (`AssetsDefinition.from_graph` is
a classmethod, its specs from graph_asset_specs.py).

The asset's value is a graph output; each op of the graph runs as its own step (`graph.op`, as
Dagster names them), and the step whose output is a graph output stores the asset's value and
records its materialization. The graph's inputs name upstream assets, as an `@asset`'s parameters
do. `plan_assets` expands the nodes (core/running/plan_graph_assets.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dagdeck.core.defs.asset_specs import AssetOut, AssetSpec, coerce_key
from dagdeck.core.defs.assets import AssetIn, AssetsDefinition, check_key_parts
from dagdeck.core.defs.graph_asset_specs import prefixed_key
from dagdeck.core.defs.graphs import GraphOut, graph
from dagdeck.core.errors import DefinitionError


def graph_asset(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    code_version: str | None = None,
    key: Any = None,
    **_ignored: Any,
) -> Any:
    """An asset whose value is the output of a graph of ops (the decorated function composes them)."""

    def build(f: Callable[..., Any]) -> AssetsDefinition:
        graph_def = graph(f, name=name or f.__name__, description=description)
        asset_key = (
            coerce_key(key, key_prefix) if key is not None else prefixed_key([name or f.__name__], key_prefix)
        )
        check_key_parts(f, asset_key.path, f"graph_asset {graph_def.name}")
        spec = AssetSpec(
            asset_key,
            description=graph_def.description,
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            owners=owners,
            tags=tags,
            kinds=kinds,
        )
        return AssetsDefinition.graph_backed(
            graph_def, {"result": spec}, {"result": "io_manager"}, ins, multi=False
        )

    return build(compose_fn) if compose_fn is not None else build


def graph_multi_asset(
    *,
    outs: Mapping[str, AssetOut],
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    group_name: str | None = None,
    can_subset: bool = False,
    **_ignored: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Several assets, each one output of a graph (`outs` names the graph's outputs)."""

    def build(f: Callable[..., Any]) -> AssetsDefinition:
        graph_def = graph(f, name=name or f.__name__, out={o: GraphOut() for o in outs})
        specs: dict[str, AssetSpec] = {}
        managers: dict[str, str] = {}
        for out_name, out in outs.items():
            if not isinstance(out, AssetOut):
                raise DefinitionError.at(
                    f,
                    f"outs[{out_name!r}] is not an AssetOut",
                    obj=f"graph_multi_asset {graph_def.name}",
                    fix="use AssetOut()",
                )
            specs[out_name] = out.to_spec(out_name, [], group_name)
            managers[out_name] = out.io_manager_key or "io_manager"
        return AssetsDefinition.graph_backed(
            graph_def, specs, managers, ins, multi=True, can_subset=can_subset
        )

    return build
