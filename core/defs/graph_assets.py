"""Graph-backed assets: `@graph_asset`, `@graph_multi_asset` and `AssetsDefinition.from_graph`.

The asset's value is a graph output; each op of the graph runs as its own step (`graph.op`, as
Dagster names them), and the step whose output is a graph output stores the asset's value and
records its materialization. The graph's inputs name upstream assets, as an `@asset`'s parameters
do. `plan_assets` expands the nodes (core/running/plan_graph_assets.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_specs import AssetOut, AssetSpec, coerce_key
from dagdeck.core.defs.assets import AssetIn, AssetsDefinition, check_key_parts, deps_of
from dagdeck.core.defs.graphs import GraphBacking, GraphDefinition, graph
from dagdeck.core.defs.params import read_params
from dagdeck.core.errors import DefinitionError, where_defined


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
        asset_key = coerce_key(key, key_prefix) if key is not None else _key([name or f.__name__], key_prefix)
        check_key_parts(f, asset_key.path, f"graph_asset {graph_def.name}")
        spec = AssetSpec(
            asset_key,
            deps=deps_of(f, None),
            description=graph_def.description,
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            owners=owners,
            tags=tags,
            kinds=kinds,
        )
        return _graph_backed(graph_def, {"result": spec}, {"result": "io_manager"}, ins, multi=False)

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
        from dagdeck.core.defs.graphs import GraphOut

        graph_def = graph(f, name=name or f.__name__, out={o: GraphOut() for o in outs})
        specs: dict[str, AssetSpec] = {}
        managers: dict[str, str] = {}
        for out_name, out in outs.items():
            if not isinstance(out, AssetOut):
                file, line = where_defined(f)
                raise DefinitionError(
                    f"outs[{out_name!r}] is not an AssetOut",
                    file=file,
                    line=line,
                    obj=f"graph_multi_asset {graph_def.name}",
                    fix="use AssetOut()",
                )
            specs[out_name] = out.to_spec(out_name, [], group_name)
            managers[out_name] = out.io_manager_key or "io_manager"
        return _graph_backed(graph_def, specs, managers, ins, multi=True, can_subset=can_subset)

    return build


def assets_from_graph(
    graph_def: GraphDefinition,
    *,
    keys_by_input_name: Mapping[str, AssetKey] | None = None,
    keys_by_output_name: Mapping[str, AssetKey] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    group_names_by_output_name: Mapping[str, str | None] | None = None,
    descriptions_by_output_name: Mapping[str, str] | None = None,
    metadata_by_output_name: Mapping[str, Mapping[str, Any] | None] | None = None,
    tags_by_output_name: Mapping[str, Mapping[str, str] | None] | None = None,
    code_versions_by_output_name: Mapping[str, str | None] | None = None,
    can_subset: bool = False,
    **_ignored: Any,
) -> AssetsDefinition:
    """`AssetsDefinition.from_graph`: each graph output an asset (keyed by `keys_by_output_name`,
    else the output name; the single output `result` is keyed by the graph's name)."""
    if not isinstance(graph_def, GraphDefinition):
        raise DefinitionError(
            f"from_graph takes a @graph, got {graph_def!r}",
            obj="AssetsDefinition.from_graph",
            fix="pass a @graph",
        )
    specs: dict[str, AssetSpec] = {}
    for out_name in graph_def.output_names:
        if keys_by_output_name and out_name in keys_by_output_name:
            base = coerce_key(keys_by_output_name[out_name])
            key = base.with_prefix(key_prefix) if key_prefix else base
        else:
            key = _key([graph_def.name if out_name == "result" else out_name], key_prefix)
        check_key_parts(graph_def.fn, key.path, f"graph {graph_def.name}")
        specs[out_name] = AssetSpec(
            key,
            description=(descriptions_by_output_name or {}).get(out_name) or graph_def.description,
            metadata=(metadata_by_output_name or {}).get(out_name),
            group_name=(group_names_by_output_name or {}).get(out_name) or group_name,
            code_version=(code_versions_by_output_name or {}).get(out_name),
            tags=(tags_by_output_name or {}).get(out_name),
        )
    ins = {n: AssetIn(key=k) for n, k in (keys_by_input_name or {}).items()}
    managers = dict.fromkeys(specs, "io_manager")
    return _graph_backed(graph_def, specs, managers, ins, multi=len(specs) > 1, can_subset=can_subset)


def _key(parts: list[str], key_prefix: str | Sequence[str] | None) -> AssetKey:
    prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
    return AssetKey([*prefix, *parts])


def _graph_backed(
    graph_def: GraphDefinition,
    specs: dict[str, AssetSpec],
    io_managers: dict[str, str],
    ins: Mapping[str, AssetIn] | None,
    *,
    multi: bool,
    can_subset: bool = False,
) -> AssetsDefinition:
    owner = f"graph {graph_def.name}"
    backing = GraphBacking.trace(graph_def, owner)
    missing = [o for o in specs if o not in backing.outputs]
    if missing:
        file, line = where_defined(graph_def.fn)
        raise DefinitionError(
            f"graph {graph_def.name!r} returns no op output for asset output(s) {', '.join(missing)}",
            file=file,
            line=line,
            obj=owner,
            fix="return the output of an op called in the graph (a dict of them for several assets)",
        )
    return AssetsDefinition(
        specs_by_key={s.key: s for s in specs.values()},
        fn=graph_def.fn,
        params=read_params(graph_def.fn),
        op_name=graph_def.name,
        output_names_by_key={s.key: o for o, s in specs.items()},
        io_manager_keys_by_key={s.key: io_managers[o] for o, s in specs.items()},
        ins=dict(ins or {}),
        can_subset=can_subset,
        multi=multi,
        graph=backing,
    )
