"""Backfills: plan one (which partitions, how they group into runs), let the daemon launch it through
the run queue a few runs at a time, settle how it ended, cancel it, retry its failed partitions.

A backfill's partitions split into chunks (`BackfillPolicy`: one partition per run by default,
`multi_run(n)` n per run, `single_run()` all in one); the daemon's pass (`BackfillPass`) claims the
next chunks and creates their QUEUED runs in one store transaction each batch, keeping at most
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
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.backfill_policy import combined_partitions_per_run
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.launcher import Launcher, LaunchSpec, assets_spec, enqueued_event, queued_run
from dagdeck.core.statuses import BACKFILL_ACTIVE, FINISHED, BackfillStatus, PartitionRunStatus, RunStatus
from dagdeck.store import Backfill, Store

log = logging.getLogger("dagdeck.daemon")

BACKFILL_TAG = "dagster/backfill"
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARENT_TAG = "dagster/parent_backfill_id"
ROOT_TAG = "dagster/root_backfill_id"

LAUNCH_TAG = "dagdeck/backfill_launch"
"""Which launch of its chunk a run is (1, or more after a run that never started)."""
MAX_LAUNCHES = 3

UNLIMITED_BATCH = 500
"""Runs created per transaction when the queue has no limit (`max_concurrent_runs = -1`)."""

_ACTIVE = [str(s) for s in BACKFILL_ACTIVE]


class BackfillError(DagdeckError):
    """A backfill that cannot be planned, found, canceled or retried: one line with the fix."""


# -- planning ---------------------------------------------------------------------------------------
def partitions_def_of(defs: Definitions, keys: Iterable[AssetKey]) -> Any:
    """The one partitions definition every selected asset shares; BackfillError otherwise."""
    found: Any = None
    owner: AssetKey | None = None
    for key in sorted(keys, key=str):
        node = defs.asset_graph.assets[key]
        pdef = getattr(node.spec, "partitions_def", None) or getattr(node.definition, "partitions_def", None)
        if pdef is None:
            raise BackfillError(
                f"asset {key} is not partitioned; a backfill selects partitioned assets only "
                "(materialize it with `dagdeck materialize`)"
            )
        if found is None:
            found, owner = pdef, key
        elif pdef is not found and pdef != found:
            raise BackfillError(
                f"assets {owner} and {key} have different partitions; backfill them separately"
            )
    if found is None:
        raise BackfillError("the selection matches no assets; see `dagdeck assets list`")
    return found


def partitions_per_run(defs: Definitions, keys: Iterable[AssetKey]) -> int | None:
    """Partitions per run from the selected assets' `backfill_policy` (None: all in one run)."""
    policies = [getattr(defs.asset_graph.assets[k].definition, "backfill_policy", None) for k in keys]
    return combined_partitions_per_run(policies)


def partition_range(all_keys: Sequence[str], start: str | None, end: str | None) -> list[str]:
    """The keys from `start` to `end` (both included, in the definition's order); None: an open end."""
    positions = {k: i for i, k in enumerate(all_keys)}
    first, last = 0, len(all_keys) - 1
    shown = f"{all_keys[0]} ... {all_keys[-1]}" if all_keys else "none"
    for name, key in (("--from", start), ("--to", end)):
        if key is not None and key not in positions:
            raise BackfillError(f"{name} {key!r} is not a partition of the selection (partitions: {shown})")
    if start is not None:
        first = positions[start]
    if end is not None:
        last = positions[end]
    if first > last:
        raise BackfillError(f"--from {start!r} comes after --to {end!r}; swap them")
    return list(all_keys[first : last + 1])


def new_backfill(
    defs: Definitions,
    location: CodeLocation,
    select: str,
    keys: Iterable[AssetKey],
    partition_keys: Sequence[str],
    *,
    tags: Mapping[str, str] | None = None,
    parent_backfill_id: str | None = None,
    per_run: int | None | bool = False,
) -> Backfill:
    """The REQUESTED record of a backfill (not stored yet). `per_run=False`: from the policies."""
    asset_keys = sorted({AssetKey.from_coercible(k) for k in keys}, key=str)
    if not partition_keys:
        raise BackfillError("no partitions to backfill; give --from/--to within the partitions, or --all")
    size = partitions_per_run(defs, asset_keys) if per_run is False else per_run
    return Backfill(
        backfill_id=_new_id(),
        status=BackfillStatus.REQUESTED,
        selection={"select": select, "assets": [k.to_user_string() for k in asset_keys]},
        partition_keys=list(partition_keys),
        partitions_per_run=None if size is None else int(size),
        tags=dict(tags or {}),
        location=location.to_dict(),
        created_at=time.time(),
        parent_backfill_id=parent_backfill_id,
    )


def _new_id() -> str:
    """Short like Dagster's backfill ids (8 letters), from a uuid."""
    return uuid.uuid4().hex[:8]


def chunks(backfill: Backfill) -> list[list[str]]:
    """The partitions of each run the backfill launches, in order."""
    keys = list(backfill.partition_keys)
    size = backfill.partitions_per_run
    if size is None or size >= len(keys):
        return [keys] if keys else []
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def chunk_tags(backfill_id: str, keys: Sequence[str], ranged: bool) -> dict[str, str]:
    """Dagster's tags for a backfill run: the partition, or (when a policy groups partitions, even
    a last chunk of one) the first and last of the range."""
    tags = {BACKFILL_TAG: backfill_id}
    if not ranged:
        tags[PARTITION_TAG] = keys[0]
    else:
        tags[RANGE_START_TAG] = keys[0]
        tags[RANGE_END_TAG] = keys[-1]
    return tags


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
            backfill.backfill_id, _ACTIVE, BackfillStatus.IN_PROGRESS, launches
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
            backfill.backfill_id, _ACTIVE, old_run_id, (chunk, run, [enqueued_event(run)])
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
        if store.transition_backfill(backfill.backfill_id, _ACTIVE, end, ended_at=time.time()):
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
        for backfill in self.store.list_backfills(_ACTIVE, limit=1000):
            try:
                launched |= bool(tend_backfill(self.store, defs, backfill, self.max_concurrent_runs))
            except DagdeckError as err:  # its assets are gone or cannot plan: it can never finish
                log.error("backfill %s: %s", backfill.backfill_id, err)
                self.store.transition_backfill(
                    backfill.backfill_id,
                    _ACTIVE,
                    BackfillStatus.FAILED,
                    ended_at=time.time(),
                    failure_reason=str(err),
                )
            except Exception:  # noqa: BLE001 - one backfill never stops the others or the run queue
                log.exception("backfill %s: pass failed; retried on the next pass", backfill.backfill_id)
        return launched


# -- reading ----------------------------------------------------------------------------------------
_PARTITION_STATUS: dict[str | None, PartitionRunStatus] = {
    RunStatus.SUCCESS: PartitionRunStatus.MATERIALIZED,
    RunStatus.FAILURE: PartitionRunStatus.FAILED,
    RunStatus.CANCELED: PartitionRunStatus.FAILED,
    None: PartitionRunStatus.FAILED,  # the run was deleted: its partitions need running again
}


@dataclass(frozen=True)
class BackfillView:
    """A backfill with its partitions' states and runs, as `backfill show` and the console read it."""

    backfill: Backfill
    partitions: dict[str, PartitionRunStatus]
    run_ids: list[str]
    run_by_partition: dict[str, str]

    def counts(self) -> dict[PartitionRunStatus, int]:
        out = dict.fromkeys(PartitionRunStatus, 0)
        for status in self.partitions.values():
            out[status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        b = self.backfill
        return {
            "backfill_id": b.backfill_id,
            "status": b.status,
            "selection": b.selection.get("select"),
            "assets": b.selection.get("assets", []),
            "partitions_total": len(b.partition_keys),
            "partitions": {k: str(v) for k, v in self.partitions.items()},
            "counts": {str(k): v for k, v in self.counts().items()},
            "run_ids": self.run_ids,
            "partitions_per_run": b.partitions_per_run,
            "parent_backfill_id": b.parent_backfill_id,
            "failure_reason": b.failure_reason,
            "created_at": b.created_at,
            "ended_at": b.ended_at,
        }


def backfill_view(store: Store, backfill: Backfill) -> BackfillView:
    parts = chunks(backfill)
    partitions = dict.fromkeys(backfill.partition_keys, PartitionRunStatus.MISSING)
    by_partition: dict[str, str] = {}
    run_ids: list[str] = []
    for chunk, run_id, status in store.backfill_runs(backfill.backfill_id):
        run_ids.append(run_id)
        state = _PARTITION_STATUS.get(status, PartitionRunStatus.IN_PROGRESS)
        for key in parts[chunk] if chunk < len(parts) else ():
            partitions[key] = state
            by_partition[key] = run_id
    return BackfillView(backfill, partitions, run_ids, by_partition)


def find_backfill(store: Store, backfill_id: str) -> Backfill:
    backfill = store.find_backfill(backfill_id)
    if backfill is None:
        raise BackfillError(f"no backfill {backfill_id!r}; see `dagdeck backfill list`")
    return backfill


# -- cancel and retry -------------------------------------------------------------------------------
def cancel_backfill(store: Store, launcher: Launcher, backfill: Backfill) -> Backfill:
    """Stop launching (CANCELED, atomically against a launch in progress), then cancel every run of
    the backfill still queued or running. Canceling a finished backfill is an error."""
    if not store.transition_backfill(
        backfill.backfill_id, _ACTIVE, BackfillStatus.CANCELED, ended_at=time.time()
    ):
        current = store.get_backfill(backfill.backfill_id) or backfill
        raise BackfillError(
            f"backfill {backfill.backfill_id} is {current.status}; only a running backfill cancels"
        )
    for _chunk, run_id, status in store.backfill_runs(backfill.backfill_id):
        if status is not None and status not in FINISHED:
            launcher.cancel(run_id)
    return store.get_backfill(backfill.backfill_id) or backfill


def retry_failed(store: Store, backfill: Backfill, only: Iterable[str] | None = None) -> Backfill:
    """A new backfill (same selection and grouping) of the partitions whose run failed or was
    canceled (`only`: of those, just these keys); the original must have ended."""
    if backfill.status in BACKFILL_ACTIVE:
        raise BackfillError(
            f"backfill {backfill.backfill_id} is {backfill.status}; wait for it to end (or cancel it) first"
        )
    view = backfill_view(store, backfill)
    failed = [k for k, s in view.partitions.items() if s == PartitionRunStatus.FAILED]
    if not failed:
        raise BackfillError(f"backfill {backfill.backfill_id} has no failed partitions; nothing to retry")
    if only is not None:
        wanted = set(only)
        unknown = sorted(wanted - set(failed))
        if unknown:
            raise BackfillError(
                f"partitions {', '.join(unknown)} did not fail in backfill {backfill.backfill_id}; "
                f"failed: {', '.join(failed)}"
            )
        failed = [k for k in failed if k in wanted]
    retry = Backfill(
        backfill_id=_new_id(),
        status=BackfillStatus.REQUESTED,
        selection=dict(backfill.selection),
        partition_keys=failed,
        partitions_per_run=backfill.partitions_per_run,
        tags={
            **backfill.tags,
            PARENT_TAG: backfill.backfill_id,
            ROOT_TAG: backfill.tags.get(ROOT_TAG, backfill.backfill_id),
        },
        location=dict(backfill.location),
        created_at=time.time(),
        parent_backfill_id=backfill.backfill_id,
    )
    store.add_backfill(retry)
    return retry
