"""Read models: what a run and an asset look like to the CLI and the console.

A run's step status is derived from the event log in `core/running/step_status.py` (the launcher
needs it too); its views are re-exported here so that read models have one address.
"""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.metadata import plain
from dagdeck.core.running.step_status import RunView, StepView, fold_steps, run_view, settle_steps
from dagdeck.core.statuses import AssetStatus
from dagdeck.core.timefmt import iso
from dagdeck.store import EventRow, Run, Store

__all__ = [
    "RunView",
    "StepView",
    "asset_show_json",
    "asset_status",
    "assets_list_json",
    "fold_steps",
    "materialization_json",
    "run_summary_json",
    "run_view",
    "settle_steps",
]


def run_summary_json(run: Run) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "job": run.job_name,
        "status": run.status,
        "trigger": run.trigger,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "ended_at": iso(run.ended_at),
    }


def asset_status(state: Any, external: bool = False) -> str:
    if state is None or state.last_status is None:
        return AssetStatus.EXTERNAL if external else AssetStatus.NEVER_MATERIALIZED
    return str(state.last_status)


def made_with(node: Any) -> str | None:
    """The multi-asset (op name) that makes this asset together with others, or None."""
    a = node.definition
    return a.op_name if a.multi and not node.is_external else None


def assets_list_json(defs: Definitions, store: Store) -> list[dict[str, Any]]:
    from dagdeck.core.views.asset_health import failed_error_checks, overdue, stale_reasons
    from dagdeck.core.views.stored_values import dropped_values

    graph = defs.asset_graph
    states = store.asset_states()
    dropped = dropped_values(defs, store, states)
    stale = stale_reasons(defs, store, states=states)
    late = overdue(defs, store, states=states)
    failed = failed_error_checks(store)
    out = []
    for key in graph.toposorted:
        k = key.to_user_string()
        st = states.get(k)
        node = graph.assets[key]
        out.append(
            {
                "key": k,
                "group": node.group_name,
                "deps": sorted(u.to_user_string() for u in graph.upstream[key]),
                "latest_status": asset_status(st, node.is_external),
                "external": node.is_external,
                "multi_asset": made_with(node),
                "last_materialized_at": iso(st.last_materialized_at) if st else None,
                "stale": k in stale,
                "stale_reasons": stale.get(k, []),
                "overdue": k in late,
                "failed_checks": sorted(failed.get(k, [])),
                "transient": graph.assets[key].transient,
                "value_dropped": k in dropped,
            }
        )
    return out


def materialization_json(e: EventRow) -> dict[str, Any]:
    return {"run_id": e.run_id, "timestamp": iso(e.timestamp), "metadata": plain(e.data.get("metadata"))}


def asset_show_json(defs: Definitions, store: Store, key: AssetKey, history: int = 50) -> dict[str, Any]:
    from dagdeck.core.views.asset_health import check_views, overdue, stale_reasons
    from dagdeck.core.views.metadata_history import history_json, metadata_history

    graph = defs.asset_graph
    a = graph.assets[key]
    k = key.to_user_string()
    hist = store.materialization_history(k, limit=history)
    st = store.asset_states([k]).get(k)
    reasons = stale_reasons(defs, store, [k]).get(k, [])
    late = overdue(defs, store).get(k)
    return {
        "key": k,
        "group": a.group_name,
        "description": a.description,
        "kinds": sorted(a.kinds),
        "deps": sorted(u.to_user_string() for u in graph.upstream[key]),
        "dependents": sorted(d.to_user_string() for d in graph.downstream[key]),
        "latest_status": asset_status(st, a.is_external),
        "external": a.is_external,
        "multi_asset": made_with(a),
        "latest": materialization_json(hist[0]) if hist else None,
        "history": [materialization_json(e) for e in hist],
        "metadata_history": history_json(metadata_history(hist)),
        "checks": [c.to_json() for c in check_views(defs, store, k)],
        "stale": bool(reasons),
        "stale_reasons": reasons,
        "overdue": late is not None,
        "overdue_reason": late,
        "transient": a.transient,
    }
