"""`DynamicPartitionsDefinition`: keys added and deleted while dagdeck runs (a new file, a new
customer), kept in the instance under the definition's name.

The keys live in the store; a definition reads them through `dynamic_partitions_store` (an instance
or anything with `get_dynamic_partitions(name)`), or else through the store the engine or CLI
registered for this process with `use_dynamic_partitions_store`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from dagdeck.core.defs.partitions.base import PartitionsDefinition
from dagdeck.core.errors import DefinitionError

_process_store: list[Any] = [None]


def use_dynamic_partitions_store(store: Any) -> None:
    """Where definitions without an explicit store read their keys in this process (an instance)."""
    _process_store[0] = store


class DynamicPartitionsDefinition(PartitionsDefinition):
    def __init__(
        self, partition_fn: Callable[..., Sequence[str]] | None = None, name: str | None = None
    ) -> None:
        if name is None and partition_fn is None:
            raise DefinitionError(
                "DynamicPartitionsDefinition needs name=",
                obj="DynamicPartitionsDefinition",
                fix='pass name="...": the instance stores its keys under that name',
            )
        self.name = name
        self.partition_fn = partition_fn

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> Sequence[str]:
        if self.partition_fn is not None:
            return [str(k) for k in self.partition_fn(current_time)]
        store = dynamic_partitions_store if dynamic_partitions_store is not None else _process_store[0]
        if store is None:
            from dagdeck.core.defs.results import DagsterInvariantViolationError

            raise DagsterInvariantViolationError(
                f"The instance is not available to load partitions for dynamic partitions {self.name!r}"
            )
        return list(store.get_dynamic_partitions(self.name))

    def build_add_request(self, partition_keys: Sequence[str]) -> Any:
        from dagdeck.core.defs.partitions.requests import AddDynamicPartitionsRequest

        return AddDynamicPartitionsRequest(self.name or "", list(partition_keys))

    def build_delete_request(self, partition_keys: Sequence[str]) -> Any:
        from dagdeck.core.defs.partitions.requests import DeleteDynamicPartitionsRequest

        return DeleteDynamicPartitionsRequest(self.name or "", list(partition_keys))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DynamicPartitionsDefinition) and (other.name, other.partition_fn) == (
            self.name,
            self.partition_fn,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.partition_fn))

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition(name={self.name!r})"
