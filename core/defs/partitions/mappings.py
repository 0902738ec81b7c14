"""Which partitions of an upstream asset one downstream partition reads (`partition_mapping=` on
`AssetIn` / `AssetDep`), and the mapping Dagster picks when none is given.

Each mapping answers `upstream_keys(downstream_keys, downstream_def, upstream_def)`; `downstream_def`
is None when the downstream asset is not partitioned (it then reads the upstream's partitions).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dagdeck.core.defs.partitions.base import PartitionsDefinition
from dagdeck.core.defs.partitions.time_window import TimeWindow, TimeWindowPartitionsDefinition


class PartitionMapping:
    def upstream_keys(
        self,
        downstream_keys: Sequence[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        store: Any = None,
    ) -> list[str]:
        raise NotImplementedError


class IdentityPartitionMapping(PartitionMapping):
    """Partition `k` downstream reads partition `k` upstream."""

    def upstream_keys(self, downstream_keys, downstream_def, upstream_def, store=None):  # type: ignore[no-untyped-def]
        if downstream_def is None:
            return list(upstream_def.get_partition_keys(dynamic_partitions_store=store))
        return [
            k for k in downstream_keys if upstream_def.has_partition_key(k, dynamic_partitions_store=store)
        ]


class AllPartitionMapping(PartitionMapping):
    """Every downstream partition reads every upstream partition."""

    def upstream_keys(self, downstream_keys, downstream_def, upstream_def, store=None):  # type: ignore[no-untyped-def]
        return list(upstream_def.get_partition_keys(dynamic_partitions_store=store))


class LastPartitionMapping(PartitionMapping):
    """Every downstream partition reads the upstream's last partition."""

    def upstream_keys(self, downstream_keys, downstream_def, upstream_def, store=None):  # type: ignore[no-untyped-def]
        last = upstream_def.get_last_partition_key(dynamic_partitions_store=store)
        return [last] if last is not None else []


class TimeWindowPartitionMapping(PartitionMapping):
    """Upstream time partitions overlapping the downstream partition's window, the window first
    moved by `start_offset` / `end_offset` upstream partitions (-1: also the one before)."""

    def __init__(
        self,
        start_offset: int = 0,
        end_offset: int = 0,
        allow_nonexistent_upstream_partitions: bool = False,
    ) -> None:
        self.start_offset = start_offset
        self.end_offset = end_offset
        self.allow_nonexistent_upstream_partitions = allow_nonexistent_upstream_partitions

    def upstream_keys(self, downstream_keys, downstream_def, upstream_def, store=None):  # type: ignore[no-untyped-def]
        if downstream_def is None or not isinstance(upstream_def, TimeWindowPartitionsDefinition):
            return list(upstream_def.get_partition_keys(dynamic_partitions_store=store))
        if not isinstance(downstream_def, TimeWindowPartitionsDefinition):
            return [k for k in downstream_keys if upstream_def.has_partition_key(k)]
        windows = [downstream_def.time_window_for_partition_key(k) for k in downstream_keys]
        if not windows:
            return []
        span = TimeWindow(min(w.start for w in windows), max(w.end for w in windows))
        keys = upstream_def.get_partition_keys_in_time_window(span)
        if not keys:
            return []
        first = upstream_def.shifted_key(keys[0], self.start_offset)
        last = upstream_def.shifted_key(keys[-1], self.end_offset)
        window = TimeWindow(
            upstream_def.time_window_for_partition_key(first).start,
            upstream_def.time_window_for_partition_key(last).end,
        )
        return upstream_def.get_partition_keys_in_time_window(window)


class StaticPartitionMapping(PartitionMapping):
    """An explicit map: upstream key -> the downstream key (or keys) that read it."""

    def __init__(
        self, downstream_partition_keys_by_upstream_partition_key: Mapping[str, str | Collection[str]]
    ) -> None:
        self.downstream_partition_keys_by_upstream_partition_key = dict(
            downstream_partition_keys_by_upstream_partition_key
        )

    def upstream_keys(self, downstream_keys, downstream_def, upstream_def, store=None):  # type: ignore[no-untyped-def]
        wanted = set(downstream_keys)
        out = []
        for up, down in self.downstream_partition_keys_by_upstream_partition_key.items():
            downs = {down} if isinstance(down, str) else set(down)
            if downstream_def is None or downs & wanted:
                out.append(up)
        return out


def default_mapping(
    downstream_def: PartitionsDefinition | None, upstream_def: PartitionsDefinition
) -> PartitionMapping:
    """Dagster's choice when no mapping is given: time windows by overlap, same kinds by identity,
    an unpartitioned downstream reads everything."""
    if downstream_def is None:
        return AllPartitionMapping()
    if isinstance(downstream_def, TimeWindowPartitionsDefinition) and isinstance(
        upstream_def, TimeWindowPartitionsDefinition
    ):
        return TimeWindowPartitionMapping()
    return IdentityPartitionMapping()
