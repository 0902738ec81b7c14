"""How `Definitions` builds its asset graph: every key (external ones too), the upstream keys and
data inputs of each, checked for unknown names, duplicates, missing resources and cycles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dagdeck.core.defs.asset_graph import AssetGraph, AssetNode, order_or_cycle
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_specs import AssetSpec, SourceAsset
from dagdeck.core.defs.assets import AssetsDefinition, external_assets
from dagdeck.core.defs.check_wiring import find_upstream
from dagdeck.core.defs.resources import ResourceDefinition, is_resource_annotation, missing_resource_error
from dagdeck.core.errors import DefinitionError, did_you_mean

NO_KEYS: frozenset[AssetKey] = frozenset()
"""The upstream keys of every root asset (shared: load cost at scale)."""


class AssetGraphBuilding:
    """The asset-graph half of `Definitions` (a mixin: it reads the fields `Definitions` sets)."""

    assets_defs: list[Any]
    resources: dict[str, Any]

    def _build_asset_graph(self) -> AssetGraph:
        """Every key of every asset definition, external ones included (specs, source assets and
        deps no asset defines, as Dagster does), with its data inputs and upstream keys."""
        self.assets_defs = [_as_assets_definition(a) for a in self.assets_defs]
        nodes: dict[AssetKey, AssetNode] = {}
        for a in self.assets_defs:
            for key, spec in a.specs_by_key.items():
                if key in nodes:
                    f1, l1 = nodes[key].source
                    f2, l2 = a.source
                    raise DefinitionError(
                        f"duplicate asset key {key.to_user_string()!r}, also defined at {f1}:{l1}",
                        file=f2,
                        line=l2,
                        obj=key.to_user_string(),
                        fix="rename one of them, or give one a key_prefix",
                    )
                nodes[key] = AssetNode(key, spec, a)
        by_name: dict[str, list[AssetKey]] = {}
        for key in nodes:
            by_name.setdefault(key.name, []).append(key)

        upstream: dict[AssetKey, frozenset[AssetKey]] = {}
        data_inputs: dict[AssetKey, dict[str, AssetKey]] = {}
        for a in self.assets_defs:
            inputs: dict[str, AssetKey] = {}
            others = a.params.others if a.params is not None else ()
            prefix = a.key_prefix if others and len(a.specs_by_key) == 1 else ()
            for p in others:
                if p.name in a.ins:
                    up = a.ins[p.name].upstream_key(p.name)
                    if up not in nodes:
                        raise self._unknown_dep(a, p.name, up.to_user_string(), nodes)
                elif p.name in self.resources:
                    continue
                else:
                    found = find_upstream(prefix, p.name, by_name)
                    if found is None:
                        if p.has_default:
                            continue
                        raise self._unknown_dep(a, p.name, p.name, nodes)
                    up = found
                if up in a.specs_by_key:
                    raise self._cycle_error([up, up])
                inputs[p.name] = up
            for key, spec in a.specs_by_key.items():
                if inputs or spec.deps:
                    upstream[key] = frozenset({*inputs.values(), *(d.asset_key for d in spec.deps)} - {key})
                else:
                    upstream[key] = NO_KEYS  # a root: one shared empty set, not one per asset
                data_inputs[key] = inputs
        # deps naming keys no asset defines are external assets (Dagster shows them as such)
        missing = [k for ups in upstream.values() for k in ups if k not in nodes]
        for key in missing:
            if key not in nodes:
                spec = AssetSpec(key)
                nodes[key] = AssetNode(key, spec, external_assets([spec]))
                upstream[key] = frozenset()
                data_inputs[key] = {}
        order, cycle = order_or_cycle(upstream)
        if cycle:
            raise self._cycle_error(cycle, nodes)
        return AssetGraph(nodes, upstream, data_inputs, order)

    def _check_required_resources(self) -> None:
        """Every `required_resource_keys` entry of an asset, and of a resource, must be provided
        (Dagster refuses such Definitions at load)."""
        for a in self.assets_defs:
            for key in sorted(getattr(a, "required_resource_keys", ())):
                if key not in self.resources:
                    label = ", ".join(k.to_user_string() for k in a.keys) if not a.multi else a.op_name
                    raise missing_resource_error(f"asset {label}", key, None, a.source)
        for a in self.assets_defs:  # an IO manager key nobody provides (Dagster refuses it at load)
            for asset_key, io_key in a.io_manager_keys_by_key.items():
                if io_key not in self.resources and a.fn is not None:
                    raise missing_resource_error(
                        f"asset {asset_key.to_user_string()}", io_key, None, a.source
                    )
        for name, res in self.resources.items():
            for key in sorted(getattr(res, "required_resource_keys", None) or ()):
                if isinstance(res, ResourceDefinition) and key not in self.resources:
                    raise missing_resource_error(f"resource {name}", key, res.resource_fn)

    def _unknown_dep(
        self, a: AssetsDefinition, param: str | None, name: str, keys: Iterable[AssetKey]
    ) -> DefinitionError:
        file, line = a.source
        what = f"parameter {param!r} names" if param else "deps names"
        hint = did_you_mean(name, [k.to_user_string() for k in keys])
        fix = hint or (
            f"define an asset named {name!r}, or add a resource {name!r} to Definitions(resources=...)"
            if param
            else f"define an asset named {name!r} or remove it from deps"
        )
        label = ", ".join(k.to_user_string() for k in a.keys) if not a.multi else a.op_name
        typed = [p for p in (a.params.others if a.params else ()) if p.name == param]
        if typed and is_resource_annotation(typed[0].annotation):
            return missing_resource_error(f"asset {label}", name, None, a.source)
        return DefinitionError(
            f"{what} unknown asset {name!r}", file=file, line=line, obj=f"asset {label}", fix=fix
        )

    def _cycle_error(
        self, cycle: list[AssetKey], nodes: Mapping[AssetKey, AssetNode] | None = None
    ) -> DefinitionError:
        first = (nodes or self.assets_by_key_raw()).get(cycle[0])
        file, line = first.source if first else (None, None)
        path = " -> ".join(k.to_user_string() for k in cycle)
        return DefinitionError(
            f"dependency cycle {path}",
            file=file,
            line=line,
            obj=f"asset {cycle[0].to_user_string()}",
            fix="remove one of these dependencies so data flows one way",
        )


def _as_assets_definition(a: Any) -> AssetsDefinition:
    """An entry of `assets=[...]`: an asset definition, or an `AssetSpec` / `SourceAsset` that
    declares an external asset."""
    if isinstance(a, AssetsDefinition):
        return a
    if isinstance(a, AssetSpec):
        return external_assets([a])
    if isinstance(a, SourceAsset):
        ext = external_assets([a.to_spec()])
        ext.io_manager_keys_by_key[a.key] = a.io_manager_key
        return ext
    raise DefinitionError(f"{a!r} in assets=[...] is not an asset", fix="decorate the function with @asset")
