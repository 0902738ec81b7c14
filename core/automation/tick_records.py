"""Turning one evaluation (sensor or schedule) into a recorded tick and its QUEUED runs, resuming a
tick that a dead daemon left half done, and collapsing repeated identical skips and failures.

The order of writes is what makes a kill at any instant harmless:

1. a STARTED tick row; the instigator's cursor does not move yet;
2. the runs, `SUBMIT_BATCH` at a time, each batch one transaction (`Store.submit_tick_runs`) that
   claims the run keys, creates the QUEUED runs of the keys it newly claimed (with their
   RUN_ENQUEUED events) and lists them on the tick. A request without a run key gets one scoped to
   its tick (`dagdeck:tick:<tick id>:<n>`), so it too is submitted once;
3. one transaction ends the tick and moves the cursor (`Store.finish_tick`).

A key is never used without its run, and a cursor never moves past a request not yet submitted. A
daemon killed during 2 leaves the tick STARTED and the old cursor: the next leader evaluates the
instigator again from that cursor (a schedule: the same scheduled time) and records into the same
tick, so the requests this tick already submitted are skipped and exactly the others are submitted,
the way Dagster resumes an interrupted tick.

Test hook: with `DAGDECK_TEST_TICK_HOLD_AFTER=N` in the environment, a tick that has submitted at
least N runs logs "holding tick <id> after <n> run(s)" and stops for good, so a test can kill the
process at a known point of a submission. Unset (always, outside tests) it costs one comparison
per batch.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.automation.sensor_ticks import Evaluation, build_spec
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.sensors import RunRequest
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.launcher import Launcher, LaunchSpec, enqueued_event, queued_run
from dagdeck.core.statuses import TickStatus
from dagdeck.core.timefmt import iso
from dagdeck.store import Store, StoreError, Tick
from dagdeck.store.automation import TickRun

log = logging.getLogger("dagdeck.daemon")

RUN_KEY_TAG = "dagdeck/run_key"
SUBMIT_BATCH = 50
"""Requests per submission transaction: short enough not to hold the SQLite write lock long."""
TICK_KEY_PREFIX = "dagdeck:tick:"
"""Run keys given to requests without one: `<prefix><tick id>:<n>`."""
HOLD_ENV = "DAGDECK_TEST_TICK_HOLD_AFTER"
_REPEATED = re.compile(r"^same error (\d+) times since (.+)$")


def _hold_after() -> int | None:
    raw = os.environ.get(HOLD_ENV, "").strip()
    return int(raw) if raw.isdigit() else None


_HOLD_AFTER = _hold_after()


@dataclass
class TickResult:
    tick: Tick
    run_ids: list[str]
    """Every run of the tick (those submitted before an interruption too)."""
    duplicate_keys: list[str] = field(default_factory=list)


def record_tick(
    store: Store,
    launcher: Launcher,
    loaded: Loaded,
    *,
    name: str,
    kind: str,
    evaluation: Evaluation,
    now: float,
    trigger: str,
    job_name: str | None,
    cursor: str | None,
    failure_cursor: str | None,
    run_key: Callable[[int, RunRequest], str | None],
    extra_tags: Callable[[RunRequest], dict[str, str]] = lambda _r: {},
    scheduled_at: float | None = None,
    collapse_repeats: bool = False,
) -> TickResult:
    """Record one evaluation as a tick and create its runs QUEUED (the caller drains the queue).

    `cursor` is written with a SUCCESS/SKIPPED tick, `failure_cursor` with a FAILURE one. Requests
    are de-duplicated by run key within the evaluation, then against every key ever used. When the
    instigator's latest tick is STARTED (interrupted), this evaluation finishes that tick. With
    `collapse_repeats`, a skip or failure identical to the latest tick refreshes it instead of
    adding a row. `launcher` is unused (kept for callers): runs are created with their key claims."""
    del launcher
    last = store.list_ticks(name, limit=1)
    latest = last[0] if last else None
    resumed = _interrupted(store, latest, scheduled_at)

    def tick(status: TickStatus, **kw: Any) -> Tick:
        return Tick(instigator_name=name, kind=kind, scheduled_at=scheduled_at, timestamp=now, status=status, **kw)

    def end(status: TickStatus, tick_cursor: str | None, **kw: Any) -> TickResult:
        if resumed is not None:
            return _finish(store, resumed, kind, tick_cursor, status, **kw)
        t = tick(status, cursor=tick_cursor, **kw)
        store.commit_tick(t, tick_cursor, name, [])
        return TickResult(t, [])

    def fail(error: str) -> TickResult:
        if resumed is None and collapse_repeats:
            repeated = _repeat_failure(store, latest, error, failure_cursor, now)
            if repeated is not None:
                return TickResult(repeated, [])
        return end(TickStatus.FAILURE, failure_cursor, error=error)

    if evaluation.error is not None:
        return fail(evaluation.error)

    keyed: list[tuple[str | None, RunRequest]] = []
    seen: set[str] = set()
    for i, request in enumerate(evaluation.requests):
        key = run_key(i, request)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        keyed.append((key, request))

    if not keyed:
        reason = evaluation.skip_reason or "no run requests"
        if resumed is not None and resumed.run_ids:
            return _finish(store, resumed, kind, cursor, TickStatus.SUCCESS, skip_reason=_RESUMED)
        if resumed is None and collapse_repeats and _refresh_repeated_skip(store, latest, reason, cursor, now):
            return TickResult(tick(TickStatus.SKIPPED, skip_reason=reason, cursor=cursor), [])
        return end(TickStatus.SKIPPED, cursor, skip_reason=reason)

    specs: list[tuple[str | None, LaunchSpec]] = []
    try:
        for key, request in keyed:
            tags = {**extra_tags(request), **({RUN_KEY_TAG: key} if key else {})}
            spec, _plan = build_spec(loaded, request, job_name, trigger, tags)
            specs.append((key, spec))
    except DagdeckError as err:
        return fail(f"cannot launch: {err}")

    t = resumed
    if t is None:
        t = tick(TickStatus.STARTED, cursor=cursor)
        store.add_tick(t)
    assert t.id is not None
    try:
        duplicates = _submit(store, t, name, specs)
    except StoreError:
        raise  # the tick stays STARTED; the next evaluation resumes it
    except Exception as err:
        store.finish_tick(t.id, name, kind, failure_cursor, status=TickStatus.FAILURE, error=f"launch failed: {err}")
        raise
    notes = [_RESUMED] if resumed is not None else []
    if t.run_ids:
        if duplicates:
            notes.append(f"{len(duplicates)} run key(s) already used")
        return _finish(store, t, kind, cursor, TickStatus.SUCCESS, duplicates, skip_reason="; ".join(notes) or None)
    used = "run key already used: " + ", ".join(duplicates[:3]) + (" ..." if len(duplicates) > 3 else "")
    return _finish(store, t, kind, cursor, TickStatus.SKIPPED, duplicates, skip_reason="; ".join([*notes, used]))


_RESUMED = "resumed after the daemon that started it stopped"


def _finish(
    store: Store, t: Tick, kind: str, cursor: str | None, status: TickStatus, duplicates: Iterable[str] = (), **kw: Any
) -> TickResult:
    """End tick `t` and move the cursor in one transaction."""
    assert t.id is not None
    stored = store.finish_tick(t.id, t.instigator_name, kind, cursor, status=status, **kw)
    final = stored or t.model_copy(update={"status": status, "cursor": cursor, **kw})
    return TickResult(final, list(final.run_ids), list(duplicates))


def _submit(store: Store, t: Tick, name: str, specs: list[tuple[str | None, LaunchSpec]]) -> list[str]:
    """Claim and create the tick's runs in batches; returns the user keys already used elsewhere.
    Appends the runs created to `t.run_ids`."""
    assert t.id is not None
    entries: list[TickRun] = []
    unkeyed = 0
    for key, spec in specs:
        if key is None:
            key, unkeyed = f"{TICK_KEY_PREFIX}{t.id}:{unkeyed}", unkeyed + 1
        run = queued_run(spec)
        entries.append((key, run, [enqueued_event(run)]))
    duplicates: list[str] = []
    for start in range(0, len(entries), SUBMIT_BATCH):
        created, used = store.submit_tick_runs(t.id, name, entries[start : start + SUBMIT_BATCH])
        t.run_ids = [*t.run_ids, *created]
        duplicates += [k for k in used if not k.startswith(TICK_KEY_PREFIX)]
        if _HOLD_AFTER is not None and len(t.run_ids) >= _HOLD_AFTER:
            _hold(t.id, len(t.run_ids))
    return duplicates


def _hold(tick_id: int, submitted: int) -> None:
    """The test hook (see the module docstring): stop here until the process is killed."""
    log.warning("%s: holding tick %d after %d run(s)", HOLD_ENV, tick_id, submitted)
    while True:
        time.sleep(3600)


# -- interrupted ticks --------------------------------------------------------------------------------


def _interrupted(store: Store, t: Tick | None, scheduled_at: float | None) -> Tick | None:
    """The instigator's latest tick `t` when it is STARTED and this evaluation can finish it (for a
    schedule: the same scheduled time). One that cannot is ended as interrupted."""
    if t is None or t.status != TickStatus.STARTED:
        return None
    if scheduled_at is None or t.scheduled_at == scheduled_at:
        return t
    _fail_interrupted(store, t, "a later tick was evaluated first")
    return None


def _fail_interrupted(store: Store, t: Tick, why: str) -> None:
    assert t.id is not None
    listed = f"the {len(t.run_ids)} run(s) listed here were launched, " if t.run_ids else ""
    store.update_tick(
        t.id,
        status=TickStatus.FAILURE,
        error=f"interrupted: the daemon stopped while launching this tick's runs and {why}; "
        f"{listed}the rest were not (their run keys are still free)",
    )


def settle_interrupted_ticks(store: Store, kinds: Mapping[str, str], running: set[str]) -> set[str]:
    """A new leader's look at ticks a dead daemon left STARTED (`kinds`: instigator name -> kind).
    Returns the names whose latest tick the next evaluation resumes; ends the ticks that cannot be
    resumed (their instigator is stopped, a later tick exists, a schedule tick without a time)."""
    resume: set[str] = set()
    for name, kind in kinds.items():
        for i, t in enumerate(store.list_ticks(name, limit=3)):
            if t.status != TickStatus.STARTED or t.id is None:
                continue
            if i > 0:
                _fail_interrupted(store, t, "later ticks were evaluated")
            elif name not in running:
                _fail_interrupted(store, t, f"the {kind} is stopped")
            elif kind == "schedule" and t.scheduled_at is None:
                _fail_interrupted(store, t, "its scheduled time is unknown")
            else:
                resume.add(name)
    return resume


# -- repeated skips and failures -------------------------------------------------------------------


def _refresh_repeated_skip(store: Store, last: Tick | None, reason: str, cursor: str | None, now: float) -> bool:
    """A sensor that keeps skipping for the same reason updates its last tick instead of adding
    thousands of identical rows (a file sensor checks every second)."""
    if last is None or last.status != TickStatus.SKIPPED or last.skip_reason != reason or last.cursor != cursor:
        return False
    if last.id is None or not _cursor_is(store, last.instigator_name, cursor):
        return False
    store.update_tick(last.id, timestamp=now)
    return True


def _cursor_is(store: Store, name: str, cursor: str | None) -> bool:
    state = store.get_instigator(name)
    return state is not None and state.cursor == cursor


def failure_repeats(t: Tick) -> int:
    """How many evaluations a FAILURE tick stands for (1 unless identical failures collapsed into it)."""
    match = _REPEATED.match(t.skip_reason or "") if t.status == TickStatus.FAILURE else None
    return int(match[1]) if match else 1


def _repeat_failure(store: Store, t: Tick | None, error: str, cursor: str | None, now: float) -> Tick | None:
    """A sensor failing again with the same error counts on its last tick ("same error 20 times
    since ...", the time moved to this evaluation) instead of adding a row per evaluation."""
    if t is None or t.status != TickStatus.FAILURE or t.error != error or t.cursor != cursor or t.run_ids:
        return None
    if t.id is None or not _cursor_is(store, t.instigator_name, cursor):
        return None
    match = _REPEATED.match(t.skip_reason or "")
    since = match[2] if match else iso(t.timestamp)
    note = f"same error {failure_repeats(t) + 1} times since {since}"
    store.update_tick(t.id, timestamp=now, skip_reason=note)
    return t.model_copy(update={"timestamp": now, "skip_reason": note})
