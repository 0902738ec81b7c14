"""Wiring asset checks to assets at load: the checks assets declare with `check_specs=`, and the
asset each parameter of an `@asset_check` function receives (also how asset parameters find
their upstream asset)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagdeck.core.defs.asset_graph import AssetGraph
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.check_specs import AssetCheckSpec
from dagdeck.core.defs.checks import AssetChecksDefinition, spec_check
from dagdeck.core.errors import DefinitionError, did_you_mean


def spec_checks(assets_defs: list[AssetsDefinition], graph: AssetGraph) -> list[AssetChecksDefinition]:
    """Checks an asset declares with `check_specs=`: evaluated in its own step."""
    out: list[AssetChecksDefinition] = []
    for a in assets_defs:
        if not isinstance(a, AssetsDefinition) or not a.check_specs or a.fn is None or a.params is None:
            continue
        runner = graph.assets[a.keys[0]].step_key
        for spec in a.check_specs:
            if not isinstance(spec, AssetCheckSpec):
                raise DefinitionError.at(
                    a.fn,
                    f"check_specs entry {spec!r} is not an AssetCheckSpec",
                    obj=f"asset {a.op_name}",
                    fix='use dg.AssetCheckSpec("name", asset=...)',
                )
            out.append(spec_check(spec, a.fn, a.params, runner))
    return out


def check_inputs(
    c: AssetChecksDefinition, graph: AssetGraph, resources: Mapping[str, Any]
) -> dict[str, AssetKey]:
    """Parameter name -> the asset whose value an `@asset_check` function receives: the first
    parameter gets the checked asset whatever its name, others name assets (resources aside)."""
    file, line = c.source
    by_name: dict[str, list[AssetKey]] = {}
    for key in graph.assets:
        by_name.setdefault(key.name, []).append(key)
    inputs: dict[str, AssetKey] = {}
    for n, p in enumerate(c.params.others):
        if p.name in resources:
            continue
        found = find_upstream(c.asset_key.path[:-1], p.name, by_name)
        if found is None and n == 0:
            found = c.asset_key
        if found is None:
            if p.has_default:
                continue
            raise DefinitionError(
                f"parameter {p.name!r} names unknown asset {p.name!r}",
                file=file,
                line=line,
                obj=f"asset check {c.name}",
                fix=did_you_mean(p.name, graph.by_string) or "name the checked asset or another asset",
            )
        inputs[p.name] = found
    return inputs


def find_upstream(prefix: tuple[str, ...], name: str, by_name: Mapping[str, list[AssetKey]]) -> AssetKey | None:
    """Same prefix first (Dagster's rule), then a top-level key, then a unique last part.
    `by_name`: every key of the graph by its last part (no key built per lookup: load cost)."""
    matches = by_name.get(name, ())
    if len(matches) == 1:
        return matches[0]
    for wanted in ((*prefix, name), (name,)):
        for key in matches:
            if key.path == wanted:
                return key
    return None
