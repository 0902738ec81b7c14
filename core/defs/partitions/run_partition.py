"""The partition (or range of partitions) one run targets, read from its tags as Dagster tags runs,
and what a step of that run sees of it (`StepPartition`: its keys, range and time window).

Built once per run (RunEnv) and once per partitioned step: an unpartitioned run carries None and
its steps pay nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.partitions.base import PartitionKeyRange, PartitionsDefinition
from dagdeck.core.defs.partitions.time_window import TimeWindow, TimeWindowPartitionsDefinition
from dagdeck.core.defs.results import DagsterInvariantViolationError

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
NOT_PARTITIONED = "Cannot access partition_key for a non-partitioned run"
RANGE_RUN = (
    "Cannot access partition_key for a partitioned run with a range of partitions. "
    "Call partition_key_range instead."
)


@dataclass(frozen=True, slots=True)
class RunPartition:
    """One partition key (`start == end`) or a range of keys, both ends included."""

    start: str
    end: str

    @property
    def single(self) -> str | None:
        return self.start if self.start == self.end else None

    @classmethod
    def from_tags(cls, tags: Mapping[str, str] | None) -> RunPartition | None:
        if not tags:
            return None
        key = tags.get(PARTITION_TAG)
        if key is not None:
            return cls(key, key)
        start, end = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
        if start is not None and end is not None:
            return cls(start, end)
        return None

    def tags(self) -> dict[str, str]:
        if self.single is not None:
            return {PARTITION_TAG: self.start}
        return {RANGE_START_TAG: self.start, RANGE_END_TAG: self.end}

    def keys(self, partitions_def: PartitionsDefinition | None, store: Any = None) -> list[str]:
        if self.single is not None or partitions_def is None:
            return [self.start] if self.single is not None else [self.start, self.end]
        return partitions_def.get_partition_keys_in_range(PartitionKeyRange(self.start, self.end), store)

    def describe(self) -> str:
        return self.start if self.single is not None else f"{self.start}...{self.end}"


@dataclass(slots=True)
class StepPartition:
    """What a step's context answers about partitions: the run's partition, read through the
    partitions definition of the step's asset (or job)."""

    run: RunPartition
    partitions_def: PartitionsDefinition | None
    store: Any = None
    _keys: list[str] | None = None

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = self.run.keys(self.partitions_def, self.store)
        return self._keys

    @property
    def key(self) -> str:
        if self.run.single is None:
            raise DagsterInvariantViolationError(RANGE_RUN)
        from dagdeck.core.defs.partitions.multi import MultiPartitionsDefinition

        if isinstance(self.partitions_def, MultiPartitionsDefinition):  # a MultiPartitionKey, as Dagster's
            return self.partitions_def.get_partition_key_from_str(self.run.single)
        return self.run.single

    @property
    def key_range(self) -> PartitionKeyRange:
        return PartitionKeyRange(self.run.start, self.run.end)

    @property
    def time_window(self) -> TimeWindow:
        pdef = self.partitions_def
        if not isinstance(pdef, TimeWindowPartitionsDefinition):
            from dagdeck.core.defs.partitions.multi import MultiPartitionsDefinition

            if isinstance(pdef, MultiPartitionsDefinition):
                return _multi_time_window(pdef, self.run)
            raise DagsterInvariantViolationError(
                "Expected a TimeWindowPartitionsDefinition or MultiPartitionsDefinition with a single time "
                f"dimension, but instead found {type(pdef).__name__}"
            )
        first = pdef.time_window_for_partition_key(self.run.start)
        last = pdef.time_window_for_partition_key(self.run.end)
        return TimeWindow(first.start, last.end)


def _multi_time_window(pdef: Any, run: RunPartition) -> TimeWindow:
    for dim in pdef.partitions_defs:
        if isinstance(dim.partitions_def, TimeWindowPartitionsDefinition):
            start = pdef.get_partition_key_from_str(run.start).keys_by_dimension[dim.name]
            end = pdef.get_partition_key_from_str(run.end).keys_by_dimension[dim.name]
            return TimeWindow(
                dim.partitions_def.time_window_for_partition_key(start).start,
                dim.partitions_def.time_window_for_partition_key(end).end,
            )
    raise DagsterInvariantViolationError("This multi-partitions definition has no time dimension")
