"""The only place a run's status changes (the statuses themselves are in `core/statuses.py`).

Every change is a conditional update in the store (`WHERE status IN (...)`) written together with
its event, so racing writers (two cancels, a worker finishing while a cancel arrives) stay safe.
"""

from __future__ import annotations

import time
from typing import Any

from dagdeck.core.events import EventType, make_event
from dagdeck.core.statuses import RunStatus
from dagdeck.store import Store


def mark_started(store: Store, run_id: str, pid: int, host: str) -> bool:
    now = time.time()
    return store.transition_run(
        run_id,
        [RunStatus.STARTING, RunStatus.QUEUED],
        RunStatus.STARTED,
        {"started_at": now, "pid": pid, "host": host, "heartbeat_at": now},
        [make_event(EventType.RUN_START, run_id, message=f"worker pid {pid} on {host}", pid=pid, host=host)],
    )


def mark_success(store: Store, run_id: str) -> bool:
    return store.transition_run(
        run_id,
        [RunStatus.STARTED],
        RunStatus.SUCCESS,
        {"ended_at": time.time()},
        [make_event(EventType.RUN_SUCCESS, run_id, message="run succeeded")],
    )


def mark_failure(store: Store, run_id: str, reason: str, *, events: list[dict[str, Any]] = ()) -> bool:
    """Any unfinished run can fail (a crashed worker may never have reached STARTED)."""
    return store.transition_run(
        run_id,
        [RunStatus.STARTING, RunStatus.STARTED, RunStatus.QUEUED],
        RunStatus.FAILURE,
        {"ended_at": time.time(), "failure_reason": reason},
        [*events, make_event(EventType.RUN_FAILURE, run_id, message=reason, level="ERROR", reason=reason)],
    )


def request_cancel(store: Store, run_id: str) -> RunStatus | None:
    """QUEUED runs end CANCELED at once; running ones go CANCELING and their worker finishes the
    job. Returns the new status, or None when the run had already finished (harmless)."""
    if store.transition_run(
        run_id,
        [RunStatus.QUEUED],
        RunStatus.CANCELED,
        {"ended_at": time.time()},
        [make_event(EventType.RUN_CANCELED, run_id, message="canceled before it started")],
    ):
        return RunStatus.CANCELED
    if store.transition_run(
        run_id,
        [RunStatus.STARTING, RunStatus.STARTED],
        RunStatus.CANCELING,
        {},
        [make_event(EventType.RUN_CANCELING, run_id, message="cancel requested")],
    ):
        return RunStatus.CANCELING
    return None


def mark_canceled(store: Store, run_id: str, *, events: list[dict[str, Any]] = (), message: str = "") -> bool:
    return store.transition_run(
        run_id,
        [RunStatus.CANCELING, RunStatus.STARTED, RunStatus.STARTING],
        RunStatus.CANCELED,
        {"ended_at": time.time()},
        [*events, make_event(EventType.RUN_CANCELED, run_id, message=message or "run canceled")],
    )

