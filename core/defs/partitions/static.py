"""`StaticPartitionsDefinition`: a fixed list of keys (regions, customers) given at definition."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dagdeck.core.defs.partitions.base import PartitionsDefinition
from dagdeck.core.errors import DefinitionError


class StaticPartitionsDefinition(PartitionsDefinition):
    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = [str(k) for k in partition_keys]
        dupes = [k for k, n in Counter(keys).items() if n > 1]
        if dupes:
            raise DefinitionError(
                f"Partition keys must be unique. Duplicate instances of partition keys: {dupes}.",
                obj="StaticPartitionsDefinition",
                fix="list each key once",
            )
        self._keys = keys
        self._key_set = frozenset(keys)

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> Sequence[str]:
        return list(self._keys)

    def has_partition_key(
        self, partition_key: str, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> bool:
        return partition_key in self._key_set

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionsDefinition) and other._keys == self._keys

    def __hash__(self) -> int:
        return hash(tuple(self._keys))

    def __repr__(self) -> str:
        return f"StaticPartitionsDefinition({self._keys!r})"
