"""The daemon's backfill pass: launch each active backfill's next chunks through the run queue, a
few runs at a time, and record how it ended.

A backfill's partitions split into chunks (`backfill_plan.chunks`); the pass claims the next chunks
and creates their QUEUED runs in one store transaction each batch, keeping at most
`2 * max_concurrent_runs` of a backfill's runs unfinished so one backfill never floods the queue.
Nothing lives in memory between passes, so a daemon killed at any point resumes where the store
says it stopped: no chunk launched twice, none lost. A run the dead daemon had claimed from the
queue but not yet started ends FAILURE without a start; its chunk gets a new run
(`relaunch_never_started`), since none of its code ran.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from dagdeck.core.automation.backfill_plan import ACTIVE, BackfillError, chunk_tags, chunks
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.launcher import LaunchSpec, assets_spec, enqueued_event, queued_run
from dagdeck.core.statuses import FINISHED, BackfillStatus, RunStatus
from dagdeck.store import Backfill, Store

log = logging.getLogger("dagdeck.daemon")

LAUNCH_TAG = "dagdeck/backfill_launch"
"""Which launch of its chunk a run is (1, or more after a run that never started)."""
MAX_LAUNCHES = 3

UNLIMITED_BATCH = 500
"""Runs created per transaction when the queue has no limit (`max_concurrent_runs = -1`)."""


# -- launching (the daemon's pass) ----------------------------------------------------------------
def launch_next(
    store: Store, defs: Definitions, backfill: Backfill, room: int | None, claimed: int | None = None
) -> list[str]:
    """Create the QUEUED runs of the next chunks not yet launched (at most `room`; None: all).
    Returns the new run ids. One plan serves every chunk: only the tags differ."""
    parts = chunks(backfill)
    if claimed is None:
        claimed = sum(store.backfill_run_counts(backfill.backfill_id).values())
    todo = range(claimed, len(parts) if room is None else min(len(parts), claimed + room))
    if not todo:
        return []
    spec = _base_spec(defs, backfill)
    created: list[str] = []
    for start in range(todo.start, todo.stop, UNLIMITED_BATCH):
        launches = []
        for i in range(start, min(todo.stop, start + UNLIMITED_BATCH)):
            run = queued_run(
                _chunk_spec(spec, backfill.backfill_id, parts[i], backfill.partitions_per_run != 1)
            )
            launches.append((i, run, [enqueued_event(run)]))
        created += store.launch_backfill_runs(
            backfill.backfill_id, ACTIVE, BackfillStatus.IN_PROGRESS, launches
        )
    return created


def _base_spec(defs: Definitions, backfill: Backfill) -> LaunchSpec:
    """The launch every chunk of the backfill shares (planned once); chunks differ by tags only."""
    keys = [AssetKey(k) for k in backfill.selection.get("assets", [])]
    missing = [str(k) for k in keys if k not in defs.asset_graph.assets]
    if missing:
        raise BackfillError(f"assets {', '.join(missing)} are no longer defined")
    spec, _plan = assets_spec(
        defs,
        CodeLocation.from_dict(backfill.location),
        keys,
        tags={**backfill.tags, "dagdeck/selection": str(backfill.selection.get("select", ""))},
        trigger=f"backfill:{backfill.backfill_id}",
    )
    return spec


def relaunch_never_started(store: Store, defs: Definitions, backfill: Backfill) -> list[str]:
    """Give a new run to each chunk whose run failed before its worker started (its claimer died
    with the daemon, say): none of its code ran, so this runs no partition twice. At most
    `MAX_LAUNCHES` runs per chunk, so a run that can never start does not loop forever."""
    dead = store.backfill_runs_never_started(backfill.backfill_id, [RunStatus.FAILURE])
    retry = [(c, r, t) for c, r, t in dead if int(t.get(LAUNCH_TAG, "1")) < MAX_LAUNCHES]
    if not retry:
        return []
    spec = _base_spec(defs, backfill)
    parts = chunks(backfill)
    created = []
    for chunk, old_run_id, tags in retry:
        chunk_spec = _chunk_spec(spec, backfill.backfill_id, parts[chunk], backfill.partitions_per_run != 1)
        chunk_spec.tags[LAUNCH_TAG] = str(int(tags.get(LAUNCH_TAG, "1")) + 1)
        run = queued_run(chunk_spec)
        if store.relaunch_backfill_run(
            backfill.backfill_id, ACTIVE, old_run_id, (chunk, run, [enqueued_event(run)])
        ):
            log.warning(
                "backfill %s: run %s never started; relaunched as %s",
                backfill.backfill_id,
                old_run_id[:8],
                run.run_id[:8],
            )
            created.append(run.run_id)
    return created


def _chunk_spec(spec: LaunchSpec, backfill_id: str, keys: Sequence[str], ranged: bool) -> LaunchSpec:
    return dataclasses.replace(spec, tags={**spec.tags, **chunk_tags(backfill_id, keys, ranged)})


def in_flight_cap(max_concurrent_runs: int) -> int | None:
    """How many of one backfill's runs may be unfinished at once: twice the run slots, so the queue
    always has the next run ready; None (no cap) for an unlimited queue, 1 for a paused one."""
    if max_concurrent_runs < 0:
        return None
    return max(1, 2 * max_concurrent_runs)


def tend_backfill(store: Store, defs: Definitions, backfill: Backfill, max_concurrent_runs: int) -> list[str]:
    """One pass over one active backfill: launch what fits, or record how it ended."""
    counts = store.backfill_run_counts(backfill.backfill_id)
    if counts.get(RunStatus.FAILURE) and (relaunched := relaunch_never_started(store, defs, backfill)):
        return relaunched
    claimed = sum(counts.values())
    unfinished = sum(n for status, n in counts.items() if status is not None and status not in FINISHED)
    total = len(chunks(backfill))
    if claimed < total:
        cap = in_flight_cap(max_concurrent_runs)
        room = None if cap is None else cap - unfinished
        if room is not None and room <= 0:
            return []
        return launch_next(store, defs, backfill, room, claimed)
    if unfinished == 0:
        ok = counts.get(RunStatus.SUCCESS, 0) == claimed
        end = BackfillStatus.COMPLETED if ok else BackfillStatus.FAILED
        if store.transition_backfill(backfill.backfill_id, ACTIVE, end, ended_at=time.time()):
            log.info("backfill %s: %s", backfill.backfill_id, end)
    return []


@dataclass
class BackfillPass:
    """The daemon's share of backfills: each pass as leader, tend every active one."""

    store: Store
    max_concurrent_runs: int

    def tend(self, defs: Definitions) -> bool:
        """True when runs were launched (the caller drains the queue)."""
        launched = False
        for backfill in self.store.list_backfills(ACTIVE, limit=1000):
            try:
                launched |= bool(tend_backfill(self.store, defs, backfill, self.max_concurrent_runs))
            except DagdeckError as err:  # its assets are gone or cannot plan: it can never finish
                log.error("backfill %s: %s", backfill.backfill_id, err)
                self.store.transition_backfill(
                    backfill.backfill_id,
                    ACTIVE,
                    BackfillStatus.FAILED,
                    ended_at=time.time(),
                    failure_reason=str(err),
                )
            except Exception:  # noqa: BLE001 - one backfill never stops the others or the run queue
                log.exception("backfill %s: pass failed; retried on the next pass", backfill.backfill_id)
        return launched
