"""What happened to runs since an event id: the console's toasts ("run 1a2b3c4d started by schedule
daily", "... failed") come from here, read off the event log the console already polls."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.events import EventType
from dagdeck.store import Store


class RunChangeKind(enum.StrEnum):
    STARTED = "started"
    CANCELED = "canceled"
    FAILED = "failed"


_KIND_OF = {
    EventType.RUN_ENQUEUED: RunChangeKind.STARTED,
    EventType.RUN_CANCELING: RunChangeKind.CANCELED,
    EventType.RUN_CANCELED: RunChangeKind.CANCELED,
    EventType.RUN_FAILURE: RunChangeKind.FAILED,
}


def job_label(job_name: str) -> str:
    """A run's job as people read it: `(assets)` for the runs of selected assets."""
    return "(assets)" if job_name == ASSET_JOB_NAME else job_name


@dataclass(frozen=True, slots=True)
class RunChange:
    """One run starting, being canceled or failing; `trigger` says who started it."""

    run_id: str
    kind: RunChangeKind
    job_name: str
    trigger: str
    message: str
    event_id: int

    @property
    def job_label(self) -> str:
        return job_label(self.job_name)


def run_changes(store: Store, after_id: int, limit: int = 200) -> list[RunChange]:
    """Runs started, canceled or failed in events newer than `after_id`, oldest first; one change
    per run and kind (a cancel is both CANCELING and CANCELED)."""
    events = store.get_events(after_id=after_id, limit=limit, event_types=[str(t) for t in _KIND_OF])
    out: list[RunChange] = []
    seen: set[tuple[str, RunChangeKind]] = set()
    runs: dict[str, tuple[str, str]] = {}
    for e in events:
        if e.run_id is None:
            continue
        kind = _KIND_OF[EventType(e.event_type)]
        if (e.run_id, kind) in seen:
            continue
        seen.add((e.run_id, kind))
        if e.run_id not in runs:
            run = store.get_run(e.run_id)
            runs[e.run_id] = (run.job_name, run.trigger) if run else ("?", "?")
        job, trigger = runs[e.run_id]
        out.append(RunChange(e.run_id, kind, job, trigger, e.message or "", e.id))
    return out
