"""The status of each partition of a partitioned asset: materialized (its latest materialization,
with run id, time and metadata, from the store's `asset_partitions` projection), failed, in
progress, or missing.

A step start or failure names no partition, so it counts for the partitions of its run (the run's
`dagster/partition...` tags), when it is later than the partition's latest materialization.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.partitions.base import PartitionsDefinition
from dagdeck.core.defs.partitions.run_partition import RunPartition
from dagdeck.core.statuses import FINISHED, RunStatus
from dagdeck.core.timefmt import iso
from dagdeck.store import Store

RUN_EVENT_TYPES = ("STEP_START", "STEP_FAILURE")
PAGE = 10_000


class PartitionStatus(enum.StrEnum):
    MATERIALIZED = "materialized"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    MISSING = "missing"


@dataclass
class AssetPartitions:
    """Every partition key of an asset with its status, and the latest materialization of each."""

    keys: Sequence[str]
    status: dict[str, PartitionStatus] = field(default_factory=dict)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)

    def count(self, status: PartitionStatus) -> int:
        return sum(1 for k in self.keys if self.status.get(k, PartitionStatus.MISSING) is status)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": len(self.keys),
            **{s.value: self.count(s) for s in PartitionStatus},
            "latest_by_partition": {k: self.latest[k] for k in self.keys if k in self.latest},
        }


def asset_partitions(store: Store, asset_key: str, partitions_def: PartitionsDefinition) -> AssetPartitions:
    """Materialized partitions come from the store's per-partition projection; a later step start
    (of a run still going) or failure of a run targeting the partition overrides it."""
    keys = list(partitions_def.get_partition_keys(dynamic_partitions_store=store))
    wanted = set(keys)
    out = AssetPartitions(keys)
    since: dict[str, int] = {}
    for key, row in store.asset_partition_states(asset_key).items():
        if key in wanted:
            out.status[key] = PartitionStatus.MATERIALIZED
            since[key] = row.last_materialization_event_id or 0
            out.latest[key] = {
                "run_id": row.last_run_id,
                "timestamp": iso(row.last_materialized_at),
                "metadata": row.last_metadata,
            }
    run_keys: dict[str, list[str]] = {}
    run_done: dict[str, bool] = {}
    after = 0
    while True:
        events = store.get_events(
            after_id=after, limit=PAGE, event_types=RUN_EVENT_TYPES, asset_key=asset_key
        )
        for e in events:
            if e.run_id is None:
                continue
            if e.run_id not in run_keys:
                run_keys[e.run_id], run_done[e.run_id] = _run_partitions(store, e.run_id, partitions_def)
            for key in run_keys[e.run_id]:
                if key not in wanted or since.get(key, 0) > e.id:
                    continue
                if e.event_type == "STEP_FAILURE":
                    out.status[key] = PartitionStatus.FAILED
                elif not run_done[e.run_id]:
                    out.status[key] = PartitionStatus.IN_PROGRESS
        if len(events) < PAGE:
            return out
        after = events[-1].id


def _run_partitions(
    store: Store, run_id: str, partitions_def: PartitionsDefinition
) -> tuple[list[str], bool]:
    """The partition keys a run targets, and whether it has finished."""
    run = store.get_run(run_id)
    if run is None:
        return [], True
    partition = RunPartition.from_tags(run.tags)
    keys = partition.keys(partitions_def, store) if partition is not None else []
    return keys, RunStatus(run.status) in FINISHED
