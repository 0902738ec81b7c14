"""Which assets have a value a run can load: a transient asset's value is removed once the run
that needed it succeeds, so "materialized" does not mean "available". The console warns before a
launch would fail with MissingInput, and shows a dropped value for what it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.events import EventType
from dagdeck.store import Store

DROPPED_NOTE = "value dropped after the run"


def dropped_values(defs: Definitions, store: Store, states: Mapping[str, Any] | None = None) -> set[str]:
    """Transient assets whose value was removed after their latest materialization (one small
    read per transient asset; most projects have few)."""
    graph = defs.asset_graph
    transient = [k.to_user_string() for k, a in graph.assets.items() if a.transient and not a.is_external]
    if not transient:
        return set()
    if states is None:
        states = store.asset_states(transient)
    out = set()
    for k in transient:
        st = states.get(k)
        made = st.last_materialized_at if st is not None else None
        if made is None:
            continue
        events = store.get_events(
            asset_key=k, event_types=[EventType.ENGINE_EVENT], descending=True, limit=50
        )
        removed = next((e for e in events if e.data.get("transient_removed")), None)
        if removed is not None and removed.timestamp >= made:
            out.add(k)
    return out


def missing_inputs(defs: Definitions, store: Store, keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """Selected asset -> {upstream: why it has no stored value} for the upstreams outside the
    selection that a run would fail to load (never materialized, or a dropped transient value)."""
    graph = defs.asset_graph
    selected = {graph.by_string[k] for k in keys if k in graph.by_string}
    ups = {
        u for key in selected for u in graph.upstream[key] if u not in selected and u not in graph.external
    }
    if not ups:
        return {}
    states = store.asset_states([u.to_user_string() for u in ups])
    dropped = dropped_values(defs, store, states) if any(graph.assets[u].transient for u in ups) else set()
    why: dict[AssetKey, str] = {}
    for u in ups:
        k = u.to_user_string()
        st = states.get(k)
        if st is None or st.last_materialized_at is None:
            why[u] = "never materialized"
        elif k in dropped:
            why[u] = f"transient: {DROPPED_NOTE}"
    out: dict[str, dict[str, str]] = {}
    for key in graph.toposorted:
        if key in selected:
            gaps = {u.to_user_string(): why[u] for u in sorted(graph.upstream[key], key=str) if u in why}
            if gaps:
                out[key.to_user_string()] = gaps
    return out


def with_missing_inputs(defs: Definitions, store: Store, keys: Iterable[str]) -> list[str]:
    """`keys` plus, transitively, every upstream a run of them could not load, in graph order."""
    graph = defs.asset_graph
    wanted = {k for k in keys if k in graph.by_string}
    while True:
        gaps = {u for ups in missing_inputs(defs, store, wanted).values() for u in ups}
        if not gaps:
            break
        wanted |= gaps
    chosen = graph.required_neighbors(graph.by_string[k] for k in wanted)
    return [k.to_user_string() for k in graph.toposorted if k in chosen]
