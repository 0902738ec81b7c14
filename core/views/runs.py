"""Read models: what a run, its steps and an asset look like to the CLI and the console.

Step status is derived from the event log (the source of truth), never stored separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.metadata import plain
from dagdeck.core.events import EventType
from dagdeck.core.statuses import RunStatus
from dagdeck.core.timefmt import iso
from dagdeck.store import EventRow, Run, Store

STEP_STATUSES = ("pending", "running", "succeeded", "failed", "up_for_retry", "skipped", "canceled")


@dataclass
class StepView:
    key: str
    status: str = "pending"
    started_at: float | None = None
    ended_at: float | None = None
    attempts: int = 0
    error: str | None = None
    traceback: str | None = None
    asset_key: str | None = None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        if self.ended_at is None:
            return None
        return max(0.0, self.ended_at - self.started_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "duration_s": None if self.duration_s is None else round(self.duration_s, 6),
            "attempts": self.attempts,
            "error": self.error,
        }


@dataclass
class RunView:
    run: Run
    steps: list[StepView] = field(default_factory=list)
    materializations: list[EventRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        r = self.run
        return {
            "run_id": r.run_id,
            "job": r.job_name,
            "status": r.status,
            "trigger": r.trigger,
            "parent_run_id": r.parent_run_id,
            "root_run_id": r.root_run_id,
            "created_at": iso(r.created_at),
            "started_at": iso(r.started_at),
            "ended_at": iso(r.ended_at),
            "failure_reason": r.failure_reason,
            "steps": [s.to_json() for s in self.steps],
            "materializations": [
                {
                    "asset_key": e.asset_key,
                    "step_key": e.step_key,
                    "timestamp": iso(e.timestamp),
                    "metadata": plain(e.data.get("metadata")),
                }
                for e in self.materializations
            ],
        }


def fold_steps(run: Run, events: list[EventRow], steps: dict[str, StepView] | None = None) -> dict[str, StepView]:
    """Apply step events in order; call again with later events to update incrementally."""
    if steps is None:
        steps = {k: StepView(k) for k in (run.plan or {}).get("steps") or []}
    for e in events:
        if e.step_key is None or not e.event_type.startswith("STEP_"):
            continue
        s = steps.get(e.step_key)
        if s is None:
            s = steps[e.step_key] = StepView(e.step_key)
        s.asset_key = s.asset_key or e.asset_key
        t = e.event_type
        if t == EventType.STEP_START:
            s.status = "running"
            s.attempts = int(e.data.get("attempt") or s.attempts + 1)
            if s.started_at is None:
                s.started_at = e.timestamp
            s.ended_at = None
        elif t == EventType.STEP_UP_FOR_RETRY:
            s.status = "up_for_retry"
            s.error = e.data.get("error") or e.message
        elif t == EventType.STEP_SUCCESS:
            s.status, s.ended_at, s.error = "succeeded", e.timestamp, None
        elif t == EventType.STEP_FAILURE:
            s.status = "canceled" if e.data.get("canceled") else "failed"
            s.ended_at = e.timestamp
            s.error = e.data.get("error") or e.message
            s.traceback = e.data.get("traceback")
        elif t == EventType.STEP_SKIPPED:
            s.status, s.error = "skipped", e.message
    return steps


def settle_steps(run: Run, steps: dict[str, StepView]) -> None:
    """A finished run has no running or pending steps, even if its worker died mid-step."""
    if run.status not in (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED):
        return
    for s in steps.values():
        if s.status in ("running", "up_for_retry"):
            s.status = "canceled" if run.status == RunStatus.CANCELED else "failed"
            s.error = s.error or run.failure_reason
            s.ended_at = s.ended_at or run.ended_at
        elif s.status == "pending":
            s.status = "skipped"


def run_view(store: Store, run: Run) -> RunView:
    events = _all_events(store, run.run_id)
    steps = fold_steps(run, events)
    settle_steps(run, steps)
    mats = [e for e in events if e.event_type == EventType.ASSET_MATERIALIZATION]
    return RunView(run, list(steps.values()), mats)


def _all_events(store: Store, run_id: str) -> list[EventRow]:
    out: list[EventRow] = []
    after = 0
    while True:
        batch = store.get_events(run_id=run_id, after_id=after, limit=10000)
        out.extend(batch)
        if len(batch) < 10000:
            return out
        after = batch[-1].id


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


def asset_status(state: Any) -> str:
    if state is None or state.last_status is None:
        return "never_materialized"
    return str(state.last_status)


def assets_list_json(defs: Definitions, store: Store) -> list[dict[str, Any]]:
    from dagdeck.core.views.asset_health import failed_error_checks, overdue, stale_reasons

    graph = defs.asset_graph
    states = store.asset_states()
    stale = stale_reasons(defs, store, states=states)
    late = overdue(defs, store, states=states)
    failed = failed_error_checks(store)
    out = []
    for key in graph.toposorted:
        k = key.to_user_string()
        st = states.get(k)
        out.append(
            {
                "key": k,
                "group": graph.assets[key].group_name,
                "deps": sorted(u.to_user_string() for u in graph.upstream[key]),
                "latest_status": asset_status(st),
                "last_materialized_at": iso(st.last_materialized_at) if st else None,
                "stale": k in stale,
                "stale_reasons": stale.get(k, []),
                "overdue": k in late,
                "failed_checks": sorted(failed.get(k, [])),
                "transient": graph.assets[key].transient,
            }
        )
    return out


def materialization_json(e: EventRow) -> dict[str, Any]:
    return {"run_id": e.run_id, "timestamp": iso(e.timestamp), "metadata": plain(e.data.get("metadata"))}


def asset_show_json(defs: Definitions, store: Store, key: AssetKey, history: int = 50) -> dict[str, Any]:
    from dagdeck.core.views.asset_health import check_views, overdue, stale_reasons

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
        "latest_status": asset_status(st),
        "latest": materialization_json(hist[0]) if hist else None,
        "history": [materialization_json(e) for e in hist],
        "checks": [c.to_json() for c in check_views(defs, store, k)],
        "stale": bool(reasons),
        "stale_reasons": reasons,
        "overdue": late is not None,
        "overdue_reason": late,
        "transient": a.transient,
    }
