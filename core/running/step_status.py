"""A run's steps as the event log tells them: the one derivation of step status.

Step status is never stored on its own; it is folded from step events. The launcher needs it to
close the steps of a dead worker and to re-execute from failure, so it lives with running, and the
read models (`core/views/runs.py`, the console) use it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.metadata import plain
from dagdeck.core.events import EventType
from dagdeck.core.statuses import FINISHED, RunStatus, StepStatus
from dagdeck.core.timefmt import iso
from dagdeck.store import EventRow, Run, Store


@dataclass
class StepView:
    key: str
    status: StepStatus = StepStatus.PENDING
    started_at: float | None = None
    ended_at: float | None = None
    attempts: int = 0
    error: str | None = None
    traceback: str | None = None
    asset_key: str | None = None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return max(0.0, self.ended_at - self.started_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": str(self.status),
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


def fold_steps(
    run: Run, events: list[EventRow], steps: dict[str, StepView] | None = None
) -> dict[str, StepView]:
    """Apply step events in order; call again with later events to update incrementally."""
    if steps is None:
        steps = {k: StepView(k) for k in (run.plan or {}).get("steps") or []}
    for e in events:
        if e.step_key is None or not e.event_type.startswith("STEP_"):
            continue
        s = steps.get(e.step_key)
        if s is None:
            s = _insert_where_it_ran(steps, StepView(e.step_key))
        s.asset_key = s.asset_key or e.asset_key
        t = e.event_type
        if t == EventType.STEP_START:
            s.status = StepStatus.RUNNING
            s.attempts = int(e.data.get("attempt") or s.attempts + 1)
            if s.started_at is None:
                s.started_at = e.timestamp
            s.ended_at = None
        elif t == EventType.STEP_UP_FOR_RETRY:
            s.status = StepStatus.UP_FOR_RETRY
            s.error = e.data.get("error") or e.message
        elif t == EventType.STEP_SUCCESS:
            s.status, s.ended_at, s.error = StepStatus.SUCCEEDED, e.timestamp, None
        elif t == EventType.STEP_FAILURE:
            s.status = StepStatus.CANCELED if e.data.get("canceled") else StepStatus.FAILED
            s.ended_at = e.timestamp
            s.error = e.data.get("error") or e.message
            s.traceback = e.data.get("traceback")
        elif t == EventType.STEP_SKIPPED:
            s.status, s.error = StepStatus.SKIPPED, e.message
    return steps


def _insert_where_it_ran(steps: dict[str, StepView], step: StepView) -> StepView:
    """A step the plan did not list (a mapped step `op[key]`, known once its dynamic upstream ran)
    goes before the first step that has not started yet, so `regions, revenue[eu], ..., total`
    reads in the order things ran. `steps` is updated in place: callers fold into it repeatedly."""
    keys = list(steps)
    pos = next((i for i, k in enumerate(keys) if steps[k].status == StepStatus.PENDING), len(keys))
    if pos < len(keys):
        items = list(steps.items())
        steps.clear()
        steps.update(items[:pos])
        steps[step.key] = step
        steps.update(items[pos:])
    else:
        steps[step.key] = step
    return step


UNFINISHED_STEP = (StepStatus.RUNNING, StepStatus.UP_FOR_RETRY)
"""Steps that have started and not ended: what a dead worker leaves behind."""


def settle_steps(run: Run, steps: dict[str, StepView]) -> None:
    """A finished run has no running or pending steps, even if its worker died mid-step."""
    if run.status not in FINISHED:
        return
    for s in steps.values():
        if s.status in UNFINISHED_STEP:
            s.status = StepStatus.CANCELED if run.status == RunStatus.CANCELED else StepStatus.FAILED
            s.error = s.error or run.failure_reason
            s.ended_at = s.ended_at or run.ended_at
        elif s.status == StepStatus.PENDING:
            s.status = StepStatus.SKIPPED


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
