"""What the console's screens show of assets and jobs: one row per asset, the metadata pane of one
asset, and each job's step graph. Built from the definitions and the store in one read each."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.events import EventType
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.views.asset_health import (
    CheckView,
    check_views,
    failed_error_checks,
    overdue,
    stale_reasons,
)
from dagdeck.core.views.metadata_history import MetadataPoint, metadata_history
from dagdeck.core.views.runs import asset_status, made_with
from dagdeck.core.views.stored_values import dropped_values
from dagdeck.store import EventRow, Run, Store


@dataclass(frozen=True)
class AssetRow:
    key: str
    group: str
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]
    status: str
    """never_materialized, materialized, failed, running, canceled."""
    stale: bool
    last_materialized_at: float | None
    kinds: tuple[str, ...] = ()
    failed_checks: tuple[str, ...] = ()
    """Checks whose latest evaluation failed with severity ERROR."""
    overdue: bool = False
    transient: bool = False
    value_dropped: bool = False
    """Transient, and its value was removed after the run: materialized, but nothing to load."""
    external: bool = False
    """Made outside dagdeck (AssetSpec, SourceAsset, deps= on an undefined key): shown, never run."""
    multi_asset: str | None = None
    """The multi-asset (op) that makes this asset together with others: one step for all of them."""


@dataclass
class AssetDetail:
    row: AssetRow
    description: str | None
    kinds: list[str]
    code_version: str | None
    latest: EventRow | None
    series: dict[str, list[float]] = field(default_factory=dict)
    """Numeric metadata over the last materializations, oldest first (for sparklines)."""
    recent_runs: list[Run] = field(default_factory=list)
    latest_duration_s: float | None = None
    stale_reasons: list[str] = field(default_factory=list)
    checks: list[CheckView] = field(default_factory=list)
    overdue_reason: str | None = None
    history: dict[str, list[MetadataPoint]] = field(default_factory=dict)
    """Every metadata entry over the last materializations, oldest first (`h` shows one)."""


@dataclass(frozen=True)
class JobInfo:
    name: str
    kind: str
    """`assets` or `ops`."""
    description: str | None
    steps: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]


def asset_rows(defs: Definitions, store: Store) -> list[AssetRow]:
    graph = defs.asset_graph
    states = store.asset_states()
    stale_keys = stale_reasons(defs, store, states=states)
    failed = failed_error_checks(store)
    late = overdue(defs, store, states=states)
    dropped = dropped_values(defs, store, states)
    rows = []
    for key in graph.toposorted:
        k = key.to_user_string()
        st = states.get(k)
        a = graph.assets[key]
        rows.append(
            AssetRow(
                key=k,
                group=a.group_name,
                upstream=tuple(sorted(u.to_user_string() for u in graph.upstream[key])),
                downstream=tuple(sorted(d.to_user_string() for d in graph.downstream[key])),
                status=asset_status(st, a.is_external),
                stale=k in stale_keys,
                last_materialized_at=st.last_materialized_at if st else None,
                kinds=tuple(sorted(a.kinds)),
                failed_checks=tuple(sorted(failed.get(k, []))),
                overdue=k in late,
                transient=a.transient,
                value_dropped=k in dropped,
                external=a.is_external,
                multi_asset=made_with(a),
            )
        )
    return rows


def asset_detail(defs: Definitions, store: Store, row: AssetRow, history: int = 50) -> AssetDetail:
    """The metadata pane of `row`'s asset: its latest materialization, numeric metadata over
    `history` materializations, its recent runs, staleness and checks."""
    key = row.key
    a = defs.asset_graph.assets[AssetKey(key)]
    hist = store.materialization_history(key, limit=history)
    history = metadata_history(hist)
    series: dict[str, list[float]] = {}
    for name, points in history.items():
        numbers = [p.number for p in points if p.number is not None]
        if numbers:
            series[name] = numbers
    run_ids: list[str] = []
    # a multi-asset's step events name no single asset: its runs are those that materialized it
    run_events = (
        hist
        if row.multi_asset
        else store.get_events(asset_key=key, event_types=[EventType.STEP_START], descending=True, limit=50)
    )
    for e in run_events:
        if e.run_id and e.run_id not in run_ids:
            run_ids.append(e.run_id)
        if len(run_ids) >= 8:
            break
    runs = [r for r in (store.get_run(rid) for rid in run_ids) if r is not None]
    duration = None
    if hist:
        starts = store.get_events(
            run_id=hist[0].run_id, step_key=hist[0].step_key, event_types=[EventType.STEP_START], limit=1
        )
        if starts:
            duration = hist[0].timestamp - starts[0].timestamp
    reasons = stale_reasons(defs, store, [key]).get(key, []) if row.stale else []
    return AssetDetail(
        row=row,
        description=a.description,
        kinds=sorted(a.kinds),
        code_version=a.code_version,
        latest=hist[0] if hist else None,
        series=series,
        recent_runs=runs,
        latest_duration_s=duration,
        stale_reasons=reasons,
        checks=check_views(defs, store, key),
        overdue_reason=overdue(defs, store).get(key) if row.overdue else None,
        history=history,
    )


def job_infos(defs: Definitions) -> list[JobInfo]:
    out = []
    for name in defs.job_names:
        plan = plan_job(defs, name)
        edges = tuple((u, s.key) for s in plan.steps.values() for u in sorted(s.upstream))
        if name in defs.asset_jobs:
            out.append(JobInfo(name, "assets", defs.asset_jobs[name].description, tuple(plan.steps), edges))
        else:
            out.append(JobInfo(name, "ops", defs.op_jobs[name].description, tuple(plan.steps), edges))
    return out
