"""Keys of dynamic partitions definitions, by definition name, in the order they were added."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import delete, select

from dagdeck.store.connection import StoreConnection, guarded
from dagdeck.store.engine import insert_for
from dagdeck.store.tables import DYNAMIC_PARTITIONS

_T = DYNAMIC_PARTITIONS.c


class DynamicPartitionsMixin(StoreConnection):
    """``Store`` methods for dynamic partition keys."""

    @guarded
    def add_dynamic_partitions(self, partitions_def_name: str, partition_keys: Sequence[str]) -> list[str]:
        """Add the keys not there yet (a key added twice stays once); returns those added."""
        now = time.time()
        added: list[str] = []
        with self._write() as conn:
            for i, key in enumerate(dict.fromkeys(partition_keys)):
                done = conn.execute(
                    insert_for(conn.dialect.name, DYNAMIC_PARTITIONS)
                    .values(
                        partitions_def_name=partitions_def_name, partition_key=key, created_at=now + i * 1e-6
                    )
                    .on_conflict_do_nothing(index_elements=[_T.partitions_def_name, _T.partition_key])
                ).rowcount
                if done:
                    added.append(key)
        return added

    @guarded
    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        with self._write() as conn:
            gone = conn.execute(
                delete(DYNAMIC_PARTITIONS).where(
                    _T.partitions_def_name == partitions_def_name, _T.partition_key == partition_key
                )
            ).rowcount
        return gone == 1

    @guarded
    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                select(_T.partition_key)
                .where(_T.partitions_def_name == partitions_def_name)
                .order_by(_T.created_at, _T.partition_key)
            ).all()
        return [r[0] for r in rows]

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return partition_key in self.get_dynamic_partitions(partitions_def_name)
