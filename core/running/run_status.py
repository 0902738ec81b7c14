"""The only place a run's status changes (the statuses themselves are in `core/statuses.py`).

Every change is a conditional update in the store (`WHERE status IN (...)`) written together with
its event, so racing writers (two cancels, a worker finishing while a cancel arrives) stay safe.
"""

from __future__ import annotations

import time
from typing import Any

from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.processes import started_at
from dagdeck.core.running.step_status import UNFINISHED_STEP, fold_steps
from dagdeck.core.statuses import RunStatus, StepStatus
from dagdeck.store import Run, Store


def mark_started(store: Store, run_id: str, pid: int, host: str) -> bool:
    now = time.time()
    return store.transition_run(
        run_id,
        [RunStatus.STARTING, RunStatus.QUEUED],
        RunStatus.STARTED,
        {"started_at": now, "pid": pid, "pid_started_at": started_at(pid), "host": host, "heartbeat_at": now},
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


def mark_failure(
    store: Store,
    run_id: str,
    reason: str,
    *,
    events: list[dict[str, Any]] = (),
    match: dict[str, Any] | None = None,
) -> bool:
    """Any unfinished run can fail (a crashed worker may never have reached STARTED)."""
    return store.transition_run(
        run_id,
        [RunStatus.STARTING, RunStatus.STARTED, RunStatus.QUEUED],
        RunStatus.FAILURE,
        {"ended_at": time.time(), "failure_reason": reason},
        [*events, make_event(EventType.RUN_FAILURE, run_id, message=reason, level="ERROR", reason=reason)],
        match,
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


def mark_canceled(
    store: Store,
    run_id: str,
    *,
    events: list[dict[str, Any]] = (),
    message: str = "",
    match: dict[str, Any] | None = None,
) -> bool:
    return store.transition_run(
        run_id,
        [RunStatus.CANCELING, RunStatus.STARTED, RunStatus.STARTING],
        RunStatus.CANCELED,
        {"ended_at": time.time()},
        [*events, make_event(EventType.RUN_CANCELED, run_id, message=message or "run canceled")],
        match,
    )


def mark_dead(store: Store, run: Run, reason: str) -> bool:
    """End a run whose worker is gone (or hung, and killed): its running steps fail (or are
    canceled), unstarted ones are skipped, and the run ends FAILURE, or CANCELED if a cancel was
    under way. False if someone else ended it first."""
    events = _close_steps(store, run)
    # only if nothing changed since the judgement: a worker that just recorded itself is not dead
    match = {"status": run.status, "pid": run.pid}
    if run.status == RunStatus.CANCELING:
        message = f"run canceled ({reason})"
        return mark_canceled(store, run.run_id, events=events, message=message, match=match)
    return mark_failure(store, run.run_id, reason, events=events, match=match)


def _close_steps(store: Store, run: Run) -> list[dict[str, Any]]:
    steps = fold_steps(run, store.get_events(run_id=run.run_id, limit=1_000_000))
    canceling = run.status == RunStatus.CANCELING
    events = []
    for s in steps.values():
        if s.status in UNFINISHED_STEP:
            events.append(
                make_event(
                    EventType.STEP_FAILURE,
                    run.run_id,
                    step_key=s.key,
                    asset_key=s.asset_key,
                    message="canceled" if canceling else "worker died",
                    level="ERROR",
                    error="worker died during this step",
                    canceled=canceling,
                )
            )
        elif s.status == StepStatus.PENDING:
            events.append(
                make_event(
                    EventType.STEP_SKIPPED, run.run_id, step_key=s.key, message="run ended before this step"
                )
            )
    return events
