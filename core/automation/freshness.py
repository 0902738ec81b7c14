"""Freshness policies, evaluated by the daemon: an asset past its policy gets a failed freshness
check (its "overdue" mark), and a passing one once a materialization clears it.

The read side (`views/asset_health.overdue`) uses `latest_freshness` and `is_marked` from here, so
the reader and the daemon agree on what a mark is.
"""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.checks import FRESHNESS_CHECK, AssetCheckResult, AssetCheckSeverity
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.events import EventType
from dagdeck.store import EventRow, Store

FRESHNESS_INTERVAL = 5.0
"""Seconds between freshness evaluations."""


def is_marked(last: EventRow | None, mat: float | None) -> bool:
    """Is the latest freshness evaluation a failure that no later materialization has cleared?
    The failure names the materialization it judged late, so the comparison does not mix the
    daemon's clock with the workers' (a daemon clock ahead would otherwise hide a clearing run)."""
    if last is None or last.data.get("passed"):
        return False
    if mat is None:
        return True
    judged = last.data.get("materialized_at")
    return mat <= float(judged) if judged is not None else mat < last.timestamp


def latest_freshness(store: Store, asset_key: str) -> EventRow | None:
    for e in store.get_events(
        asset_key=asset_key, event_types=[EventType.ASSET_CHECK_EVALUATION], descending=True, limit=200
    ):
        if e.data.get("check_name") == FRESHNESS_CHECK:
            return e
    return None


def evaluate_freshness(defs: Definitions, store: Store, now: float) -> list[dict[str, Any]]:
    """Events to record: a failed freshness check when an asset becomes overdue, a passing one when
    a materialization cleared it. Called by the daemon; idempotent between changes."""
    from dagdeck.core.running.execute_check import check_evaluation_event

    events = []
    states = store.asset_states()
    for key, a in defs.asset_graph.assets.items():
        policy = a.freshness_policy
        if policy is None:
            continue
        k = key.to_user_string()
        st = states.get(k)
        mat = st.last_materialized_at if st else None
        if mat is None:
            continue
        lag = now - mat
        last = latest_freshness(store, k)
        marked = is_marked(last, mat)
        is_late = lag > policy.maximum_lag_seconds
        metadata = {"lag_minutes": round(lag / 60, 2), "maximum_lag_minutes": policy.maximum_lag_minutes}
        if is_late and not marked:
            result = AssetCheckResult(
                passed=False,
                severity=AssetCheckSeverity.WARN,
                metadata=metadata,
                description=f"last materialized {lag / 60:.0f} min ago, more than {policy.maximum_lag_minutes:g} min",
            )
            event = check_evaluation_event(None, None, k, FRESHNESS_CHECK, result)
            event["data"]["materialized_at"] = mat
            event["message"] = f"{k} is overdue: last materialized {lag / 60:.0f} min ago (max {policy.maximum_lag_minutes:g})"
            event["timestamp"] = now
            events.append(event)
        elif not is_late and last is not None and not last.data.get("passed"):
            result = AssetCheckResult(passed=True, severity=AssetCheckSeverity.WARN, metadata=metadata)
            event = check_evaluation_event(None, None, k, FRESHNESS_CHECK, result)
            event["timestamp"] = now
            events.append(event)
    if events:
        store.append_events(events)
    return events


class FreshnessPass:
    """The daemon's freshness pass, at most every `FRESHNESS_INTERVAL` seconds: it reads the asset
    state of every asset with a policy."""

    def __init__(self) -> None:
        self._last = float("-inf")

    def maybe_run(self, defs: Definitions, store: Store, now: float) -> None:
        if now - self._last < FRESHNESS_INTERVAL and self._last <= now:
            return
        self._last = now
        evaluate_freshness(defs, store, now)
