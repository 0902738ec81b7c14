"""What every partitions definition answers: its keys (in order), the first and last, whether a key
belongs, and the keys of a range; subclasses only say how to list their keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple


class DagsterUnknownPartitionError(Exception):
    """A partition key its partitions definition does not have (Dagster's name)."""


class PartitionKeyRange(NamedTuple):
    """The keys from `start` to `end`, both included, in the definition's order."""

    start: str
    end: str


class PartitionsDefinition:
    """Base of every partitions definition. `get_partition_keys` is the one method a kind must give;
    `current_time` bounds time windows, `dynamic_partitions_store` holds dynamic keys (an instance)."""

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> Sequence[str]:
        raise NotImplementedError

    def get_first_partition_key(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> str | None:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[0] if keys else None

    def get_last_partition_key(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> str | None:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[-1] if keys else None

    def has_partition_key(
        self, partition_key: str, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> bool:
        return partition_key in set(self.get_partition_keys(current_time, dynamic_partitions_store))

    def get_num_partitions(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> int:
        return len(self.get_partition_keys(current_time, dynamic_partitions_store))

    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: Any = None
    ) -> list[str]:
        keys = list(self.get_partition_keys(dynamic_partitions_store=dynamic_partitions_store))
        start, end = partition_key_range
        for key in (start, end):
            if key not in keys:
                raise DagsterUnknownPartitionError(f"Could not find partition key `{key}`.")
        first, last = keys.index(start), keys.index(end)
        return keys[first : last + 1]

    def validate_partition_key(
        self, partition_key: str, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> None:
        if not self.has_partition_key(partition_key, current_time, dynamic_partitions_store):
            raise DagsterUnknownPartitionError(f"Could not find a partition with key `{partition_key}`.")

    def describe_keys(self, dynamic_partitions_store: Any = None) -> str:
        """The valid keys in a few words, for error messages: the range, or the keys when few."""
        keys = self.get_partition_keys(dynamic_partitions_store=dynamic_partitions_store)
        if not keys:
            return "it has no partitions yet"
        if len(keys) <= 6:
            return "valid keys: " + ", ".join(keys)
        return f"valid keys: {keys[0]} ... {keys[-1]} ({len(keys)} partitions)"
