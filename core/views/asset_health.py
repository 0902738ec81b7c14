"""Is an asset's data good and current? Check results, staleness and freshness marks, read from the
event log and the asset state projection (the daemon sets the marks: `automation/freshness.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.automation.freshness import is_marked, latest_freshness
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.checks import FRESHNESS_CHECK, AssetCheckSeverity
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.metadata import plain
from dagdeck.core.events import EventType
from dagdeck.core.timefmt import iso
from dagdeck.core.views.asset_partitions import PartitionStatus, asset_partitions
from dagdeck.store import EventRow, Store


@dataclass
class CheckView:
    name: str
    asset_key: str
    passed: bool | None = None
    severity: str | None = None
    timestamp: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    run_id: str | None = None
    history: list[bool] = field(default_factory=list)
    """Pass/fail of recent evaluations, oldest first."""
    blocking: bool = False

    @property
    def failed_error(self) -> bool:
        return self.passed is False and self.severity == AssetCheckSeverity.ERROR

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "asset_key": self.asset_key,
            "passed": self.passed,
            "severity": self.severity,
            "timestamp": iso(self.timestamp),
            "metadata": plain(self.metadata),
            "blocking": self.blocking,
        }


def check_views(defs: Definitions, store: Store, asset_key: str, history: int = 30) -> list[CheckView]:
    """Every check of the asset (the freshness check too, when it has a policy), latest first."""
    graph = defs.asset_graph
    key = graph.by_string[asset_key]
    views: dict[str, CheckView] = {}
    for c in defs.checks_by_asset.get(key, []):
        views[c.name] = CheckView(c.name, asset_key, blocking=c.blocking)
    if graph.assets[key].freshness_policy is not None:
        views.setdefault(FRESHNESS_CHECK, CheckView(FRESHNESS_CHECK, asset_key))
    events = store.get_events(
        asset_key=asset_key, event_types=[EventType.ASSET_CHECK_EVALUATION], descending=True, limit=500
    )
    for e in events:
        name = str(e.data.get("check_name"))
        view = views.get(name)
        if view is None:
            continue
        if view.timestamp is None:
            _fill(view, e)
        if len(view.history) < history:
            view.history.append(bool(e.data.get("passed")))
    for view in views.values():
        view.history.reverse()
    return list(views.values())


def _fill(view: CheckView, e: EventRow) -> None:
    view.passed = bool(e.data.get("passed"))
    view.severity = e.data.get("severity")
    view.timestamp = e.timestamp
    view.metadata = e.data.get("metadata") or {}
    view.description = e.data.get("description")
    view.run_id = e.run_id


def failed_error_checks(store: Store, limit: int = 20000) -> dict[str, list[str]]:
    """Asset key -> names of checks whose latest evaluation failed with ERROR (for the graph)."""
    seen: set[tuple[str, str]] = set()
    failed: dict[str, list[str]] = {}
    for e in store.get_events(event_types=[EventType.ASSET_CHECK_EVALUATION], descending=True, limit=limit):
        ident = (str(e.asset_key), str(e.data.get("check_name")))
        if ident in seen:
            continue
        seen.add(ident)
        if not e.data.get("passed") and e.data.get("severity") == AssetCheckSeverity.ERROR:
            failed.setdefault(ident[0], []).append(ident[1])
    return failed


_CODE_VERSIONS: dict[tuple[str, int], str | None] = {}
"""(asset key, materialization event id) -> the code version it was made with. Event rows never
change, so this is safe to keep for the life of the process; it spares a console one query per
versioned asset on every refresh."""


def _prefetch_versions(store: Store, states: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Fill the code-version cache for many assets with one query instead of one per asset."""
    missing = {}
    for k in keys:
        st = states.get(k)
        event_id = st.last_materialization_event_id if st is not None else None
        if event_id is not None and (k, event_id) not in _CODE_VERSIONS:
            missing[event_id] = k
    if not missing:
        return
    if len(_CODE_VERSIONS) > 100_000:
        _CODE_VERSIONS.clear()
    for event_id, event in store.events_by_id(missing).items():
        _CODE_VERSIONS[(missing[event_id], event_id)] = event.data.get("code_version")


def _materialized_version(store: Store, key: str, state: Any) -> str | None:
    event_id = state.last_materialization_event_id
    if event_id is not None and (key, event_id) in _CODE_VERSIONS:
        return _CODE_VERSIONS[(key, event_id)]
    latest = store.materialization_history(key, limit=1)
    version = latest[0].data.get("code_version") if latest else None
    if latest:
        if len(_CODE_VERSIONS) > 100_000:
            _CODE_VERSIONS.clear()
        _CODE_VERSIONS[(key, latest[0].id)] = version
    return version


MAX_ROOT_CAUSES = 3
"""How many root causes a propagated reason names; the rest are counted."""


def stale_reasons(
    defs: Definitions, store: Store, keys: Iterable[str] | None = None, states: Mapping[str, Any] | None = None
) -> dict[str, list[str]]:
    """Asset key -> why it is stale: an upstream materialized after it, its code version changed,
    or an upstream is stale itself (staleness flows down the whole graph: data built from stale
    data is stale), naming the root cause. Never-materialized assets are missing, not stale.
    Pass `states` (from `store.asset_states()`) when the caller has them already."""
    graph = defs.asset_graph
    wanted = set(keys) if keys is not None else None
    scope: set[AssetKey] | None = None
    if wanted is not None:  # a downstream asset's staleness depends on its whole upstream closure
        scope = graph.upstream_closure(graph.by_string[k] for k in wanted if k in graph.by_string)
    if states is None:
        if scope is None:
            states = store.asset_states()
        else:
            needed = {k.to_user_string() for k in scope}
            for key in scope:
                needed.update(u.to_user_string() for u in graph.upstream.get(key, ()))
            states = store.asset_states(needed)
    versioned = [k.to_user_string() for k, a in graph.assets.items() if a.code_version is not None]
    in_scope = versioned if scope is None else [k for k in versioned if graph.by_string[k] in scope]
    _prefetch_versions(store, states, in_scope)
    out: dict[str, list[str]] = {}
    roots: dict[str, dict[str, str]] = {}
    """Stale asset -> its root causes: the directly stale assets above it (or itself) and why."""
    for key in graph.toposorted:
        if scope is not None and key not in scope:
            continue
        k = key.to_user_string()
        st = states.get(k)
        if st is None or st.last_materialized_at is None:
            continue
        reasons = []
        inherited: dict[str, list[str]] = {}
        for up in sorted(u.to_user_string() for u in graph.upstream[key]):
            ust = states.get(up)
            if ust is not None and ust.last_materialized_at and ust.last_materialized_at > st.last_materialized_at:
                reasons.append(f"upstream {up} is newer")
            elif up in roots:
                inherited[up] = list(roots[up])
        version = graph.assets[key].code_version
        if version is not None:
            old = _materialized_version(store, k, st)
            if old != version:
                reasons.append(f"code version {old or 'none'} -> {version}")
        mine: dict[str, str] = {k: reasons[0]} if reasons else {}
        for up, causes in inherited.items():
            reasons.append(f"upstream {up} is stale ({_root_causes(causes, roots)})")
            for root in causes:
                mine.setdefault(root, roots[root][root])
        if reasons:
            out[k] = reasons
            roots[k] = mine
        partly = _partly_stale(store, k, graph.assets[key].spec.partitions_def)
        if partly:  # its own news: a day not yet run must not make everything below it stale
            out.setdefault(k, []).append(partly)
    if wanted is not None:
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def _partly_stale(store: Store, key: str, partitions_def: Any) -> str | None:
    """`3 of 60 partitions missing, 1 failed`: why a partitioned asset some of whose partitions were
    never materialized or failed last is partly stale; None when every partition is materialized."""
    if partitions_def is None:
        return None
    health = asset_partitions(store, key, partitions_def)
    missing, failed = health.count(PartitionStatus.MISSING), health.count(PartitionStatus.FAILED)
    if not missing and not failed:
        return None
    parts = [f"{missing} of {len(health.keys)} partitions missing"] if missing else []
    if failed:
        parts.append(f"{failed} failed" if missing else f"{failed} of {len(health.keys)} partitions failed")
    return ", ".join(parts)


def _root_causes(causes: list[str], roots: Mapping[str, Mapping[str, str]]) -> str:
    """`root cause orders: upstream raw_orders is newer`, for up to MAX_ROOT_CAUSES roots."""
    named = [f"{root}: {roots[root][root]}" for root in causes[:MAX_ROOT_CAUSES]]
    more = f" and {len(causes) - MAX_ROOT_CAUSES} more" if len(causes) > MAX_ROOT_CAUSES else ""
    label = "root cause" if len(causes) == 1 else "root causes"
    return f"{label} {'; '.join(named)}{more}"


def stale_or_missing(defs: Definitions, store: Store) -> list[str]:
    """What `materialize --stale` runs, in one pass: stale and never-materialized assets and every
    materialized asset below them (refreshing an upstream would leave it stale otherwise), in
    dependency order, plus the transient assets they read: a transient value is removed when its
    run succeeds, so a stale asset downstream of one could not load its input otherwise."""
    graph = defs.asset_graph
    states = store.asset_states()
    stale = stale_reasons(defs, store, states=states)
    by_partition = partitioned(defs)  # run a partition at a time (`--partition`, a backfill): never here
    wanted = set()
    for key in graph.materializable:
        k = key.to_user_string()
        st = states.get(k)
        if key not in by_partition and (k in stale or st is None or st.last_materialized_at is None):
            wanted.add(key)
    wanted = {k for k in graph.downstream_closure(wanted) if k not in graph.external and k not in by_partition}
    wanted = graph.required_neighbors(wanted)  # a multi-asset that cannot subset runs whole
    frontier = list(wanted)
    while frontier:
        for up in graph.upstream[frontier.pop()]:
            if up not in wanted and graph.assets[up].transient:
                wanted.add(up)
                frontier.append(up)
    return [key.to_user_string() for key in graph.toposorted if key in wanted]


def partitioned(defs: Definitions) -> set[AssetKey]:
    """Assets with a partitions definition."""
    return {k for k, n in defs.asset_graph.assets.items() if n.spec.partitions_def is not None}


def overdue(defs: Definitions, store: Store, states: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Asset key -> reason, for assets whose freshness mark is set (cleared by a materialization)."""
    out: dict[str, str] = {}
    with_policy = [k.to_user_string() for k, a in defs.asset_graph.assets.items() if a.freshness_policy is not None]
    if not with_policy:
        return out
    if states is None:
        states = store.asset_states(with_policy)
    for key, a in defs.asset_graph.assets.items():
        if a.freshness_policy is None:
            continue
        k = key.to_user_string()
        last = latest_freshness(store, k)
        st = states.get(k)
        mat = st.last_materialized_at if st else None
        if is_marked(last, mat):
            assert last is not None
            out[k] = last.message
    return out
