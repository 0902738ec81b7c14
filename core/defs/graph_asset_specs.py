"""The asset specs of `AssetsDefinition.from_graph`: one per graph output, keyed by
`keys_by_output_name` (else the output name; a single `result` output by the graph's name).

Apart from `graph_assets.py` because `assets.py` builds on it (`from_graph` is a classmethod
there), and `graph_assets.py` builds on `assets.py`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_specs import AssetSpec, coerce_key
from dagdeck.core.defs.graphs import GraphDefinition
from dagdeck.core.errors import DefinitionError


def prefixed_key(parts: list[str], key_prefix: str | Sequence[str] | None) -> AssetKey:
    prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
    return AssetKey([*prefix, *parts])


def from_graph_specs(
    graph_def: GraphDefinition,
    *,
    keys_by_output_name: Mapping[str, AssetKey] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    group_names_by_output_name: Mapping[str, str | None] | None = None,
    descriptions_by_output_name: Mapping[str, str] | None = None,
    metadata_by_output_name: Mapping[str, Mapping[str, Any] | None] | None = None,
    tags_by_output_name: Mapping[str, Mapping[str, str] | None] | None = None,
    code_versions_by_output_name: Mapping[str, str | None] | None = None,
    **_ignored: Any,
) -> dict[str, AssetSpec]:
    """Output name -> the spec of the asset it is."""
    if not isinstance(graph_def, GraphDefinition):
        raise DefinitionError(
            f"from_graph takes a @graph, got {graph_def!r}",
            obj="AssetsDefinition.from_graph",
            fix="pass a @graph",
        )
    specs: dict[str, AssetSpec] = {}
    for out_name in graph_def.output_names:
        if keys_by_output_name and out_name in keys_by_output_name:
            key = coerce_key(keys_by_output_name[out_name]).with_prefix(key_prefix)
        else:
            key = prefixed_key([graph_def.name if out_name == "result" else out_name], key_prefix)
        specs[out_name] = AssetSpec(
            key,
            description=(descriptions_by_output_name or {}).get(out_name) or graph_def.description,
            metadata=(metadata_by_output_name or {}).get(out_name),
            group_name=(group_names_by_output_name or {}).get(out_name) or group_name,
            code_version=(code_versions_by_output_name or {}).get(out_name),
            tags=(tags_by_output_name or {}).get(out_name),
        )
    return specs
