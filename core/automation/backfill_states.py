"""A backfill as read: each partition's state from the run that covers it, and the runs it launched
(`dagdeck backfill show`, the console's Backfills screen, retry-failed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dagdeck.core.automation.backfill_plan import BackfillError, chunks
from dagdeck.core.statuses import PartitionRunStatus, RunStatus
from dagdeck.store import Backfill, Store

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
