"""Evaluating a run-status sensor: its function is called once for each run end (of its status, of
a monitored job) stored after its cursor, the id of the last run-end event it handled.

The cursor moves with the tick in one transaction (`tick_records`), so each run end is handled by
exactly one tick, and only the lease holder evaluates. When the function raises for a run end, the
tick fails with that error and the cursor still moves past it: as in Dagster, it is not retried.
"""

from __future__ import annotations

import traceback
from typing import Any

from dagdeck.core.automation.sensor_ticks import Evaluation, normalize_result
from dagdeck.core.defs.run_status_sensors import (
    END_EVENT_TYPES,
    DagsterRun,
    DagsterRunStatus,
    RunEndEvent,
    RunStatusSensorContext,
    RunStatusSensorDefinition,
)
from dagdeck.core.events import EventType
from dagdeck.core.running.throwaway_instance import DagsterInstance
from dagdeck.store import Store

STORED_END_EVENT: dict[DagsterRunStatus, EventType] = {
    DagsterRunStatus.SUCCESS: EventType.RUN_SUCCESS,
    DagsterRunStatus.FAILURE: EventType.RUN_FAILURE,
    DagsterRunStatus.CANCELED: EventType.RUN_CANCELED,
}
BATCH = 100
"""Run ends handled per tick at most; the rest wait for the next tick."""


def evaluate_run_status_sensor(
    sensor: RunStatusSensorDefinition,
    cursor: str | None,
    store: Store,
    started_at: float | None,
    instance: Any = None,
    *,
    dry_run: bool = False,
) -> Evaluation:
    """Without a cursor, "after" means since the sensor was switched on, so history is not replayed.
    A dry run (`dagdeck sensors tick` without --launch) names the runs the function would be called
    for without calling it: an alert sent by a preview would be sent again by the daemon."""
    event_type = STORED_END_EVENT.get(sensor.run_status)
    if event_type is None:
        return Evaluation(
            error=f"run status {sensor.run_status} never ends a run; use SUCCESS, FAILURE or CANCELED"
        )
    if cursor:
        events = store.get_events(after_id=int(cursor), event_types=[str(event_type)], limit=BATCH)
    else:
        recent = store.get_events(event_types=[str(event_type)], limit=BATCH, descending=True)
        events = sorted(
            (e for e in recent if started_at is not None and e.timestamp >= started_at), key=lambda e: e.id
        )
        if not events:
            start = str(recent[0].id) if recent else "0"
            return Evaluation(skip_reason=_nothing(sensor), cursor=start, cursor_updated=True)
    result = Evaluation(cursor=cursor, cursor_updated=False)
    called, errors, would = 0, [], []
    for event in events:
        run = store.get_run(event.run_id) if event.run_id else None
        if run is not None and sensor.monitors(run.job_name) and dry_run:
            would.append(run.run_id)
        elif run is not None and sensor.monitors(run.job_name):
            context = _context(sensor, store, run, event, instance)
            try:
                result.requests.extend(normalize_result(sensor(context)).requests)
            except Exception:  # noqa: BLE001 - user code: reported on the tick, as Dagster does
                errors.append(f"run {run.run_id} of {run.job_name}:\n{traceback.format_exc()}")
            called += 1
        result.cursor, result.cursor_updated = str(event.id), True
    if would:
        result.skip_reason = (
            f"dry run: {sensor.name} would be called for {len(would)} run(s): {', '.join(would)}"
        )
    elif errors:
        result.error = "\n".join(errors)
    elif not result.requests:
        result.skip_reason = (
            _nothing(sensor) if not called else f"handled {called} run end(s); no run requested"
        )
    return result


def _nothing(sensor: RunStatusSensorDefinition) -> str:
    return f"no new runs ended with {sensor.run_status}"


def _context(
    sensor: RunStatusSensorDefinition, store: Store, run: Any, event: Any, instance: Any
) -> RunStatusSensorContext:
    status = DagsterRunStatus(str(run.status))
    dagster_run = DagsterRun(
        job_name=run.job_name,
        run_id=run.run_id,
        run_config=dict(run.run_config or {}),
        status=status,
        tags=dict(run.tags or {}),
    )
    message = event.message
    if status == DagsterRunStatus.FAILURE:
        message = _failure_message(store, run.run_id, run.job_name, event.message)
    dagster_event = RunEndEvent(
        END_EVENT_TYPES[sensor.run_status], run.job_name, message, run.run_id, event.timestamp, event.id
    )
    return RunStatusSensorContext(
        sensor.name, dagster_run, dagster_event, instance=_dagster_instance(instance)
    )


def _dagster_instance(instance: Any) -> Any:
    """The daemon's instance with Dagster's read methods (`get_run_by_id`, ...), as sensors expect."""
    if instance is None or isinstance(instance, DagsterInstance):
        return instance
    return DagsterInstance(instance.home, instance.store, instance.settings)


def _failure_message(store: Store, run_id: str, job_name: str, reason: str) -> str:
    """Dagster's wording: `Execution of run for "job" failed. Steps failed: ['a', 'b'].`"""
    failed = [e.step_key for e in store.get_events(run_id=run_id, event_types=[str(EventType.STEP_FAILURE)])]
    detail = f"Steps failed: {[k for k in dict.fromkeys(failed) if k]!r}." if failed else reason
    return f'Execution of run for "{job_name}" failed. {detail}'.rstrip()
