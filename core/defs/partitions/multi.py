"""`MultiPartitionsDefinition`: two dimensions (date x region); each key joins one key of each
dimension with `|`, dimensions in name order, as Dagster writes them (`MultiPartitionKey`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import product
from typing import Any, NamedTuple

from dagdeck.core.defs.partitions.base import PartitionsDefinition
from dagdeck.core.errors import DefinitionError

SEPARATOR = "|"


class MultiPartitionKey(str):
    """A key of a multi-partitioned asset: a `str` ("2024-01-01|eu") that knows its dimensions."""

    keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        ordered = dict(sorted(keys_by_dimension.items()))
        self = super().__new__(cls, SEPARATOR.join(ordered.values()))
        self.keys_by_dimension = ordered
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickles as it was made
        return (self.keys_by_dimension,)


class PartitionDimensionDefinition(NamedTuple):
    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionsDefinition(PartitionsDefinition):
    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if len(partitions_defs) != 2:
            raise DefinitionError(
                f"MultiPartitionsDefinition takes exactly two dimensions, got {len(partitions_defs)}",
                obj="MultiPartitionsDefinition",
                fix="give a dict of two named partitions definitions",
            )
        for name in partitions_defs:
            if SEPARATOR in name:
                raise DefinitionError(
                    f"dimension name {name!r} holds {SEPARATOR!r}",
                    obj="MultiPartitionsDefinition",
                    fix="name dimensions without '|'",
                )
        self._defs = dict(sorted(partitions_defs.items()))

    @property
    def partitions_defs(self) -> Sequence[PartitionDimensionDefinition]:
        return [PartitionDimensionDefinition(n, d) for n, d in self._defs.items()]

    @property
    def partition_dimension_names(self) -> list[str]:
        return list(self._defs)

    def get_partitions_def_for_dimension(self, dimension_name: str) -> PartitionsDefinition:
        return self._defs[dimension_name]

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> Sequence[str]:
        names = list(self._defs)
        each = [d.get_partition_keys(current_time, dynamic_partitions_store) for d in self._defs.values()]
        return [MultiPartitionKey(dict(zip(names, combo, strict=True))) for combo in product(*each)]

    def get_partition_key_from_str(self, partition_key_str: str) -> MultiPartitionKey:
        parts = partition_key_str.split(SEPARATOR)
        if len(parts) != len(self._defs):
            from dagdeck.core.defs.partitions.base import DagsterUnknownPartitionError

            raise DagsterUnknownPartitionError(f"Could not find a partition with key `{partition_key_str}`.")
        return MultiPartitionKey(dict(zip(self._defs, parts, strict=True)))

    def has_partition_key(
        self, partition_key: str, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> bool:
        parts = str(partition_key).split(SEPARATOR)
        return len(parts) == len(self._defs) and all(
            d.has_partition_key(p, current_time, dynamic_partitions_store)
            for d, p in zip(self._defs.values(), parts, strict=True)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiPartitionsDefinition) and other._defs == self._defs

    def __hash__(self) -> int:
        return hash(tuple(self._defs.items()))

    def __repr__(self) -> str:
        return f"MultiPartitionsDefinition({self._defs!r})"
