"""Asset state: the latest-materialization projection of the event log, one ``asset_state`` row per asset.

``project_events`` writes it, inside the transaction that appends the events (see ``events``), so the
projection never lags the log; ``rebuild_asset_states`` recomputes it from the log, the source of
truth. Which event types move it is the only engine semantics the store knows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Row, delete, insert, select

from dagdeck.store.connection import StoreConnection, guarded
from dagdeck.store.engine import bulk_write, lock_event_log
from dagdeck.store.tables import ASSET_PARTITIONS, ASSETS, EVENTS

ASSET_MATERIALIZATION: Final = "ASSET_MATERIALIZATION"
STEP_START: Final = "STEP_START"
STEP_FAILURE: Final = "STEP_FAILURE"
ASSET_STATE_EVENTS: Final = (ASSET_MATERIALIZATION, STEP_START, STEP_FAILURE)


def _asset_fields(event: Mapping[str, Any], event_id: int) -> dict[str, Any] | None:
    """Column values (by column name) an event sets on its asset's state, or None if it sets none."""
    event_type = event["event_type"]
    if event_type not in ASSET_STATE_EVENTS:
        return None
    run_id, timestamp, data = event["run_id"], event["timestamp"], event["data"]
    if event_type == ASSET_MATERIALIZATION:
        return {
            "last_materialization_event_id": event_id,
            "last_materialized_at": timestamp,
            "last_run_id": run_id,
            "metadata": data.get("metadata") or {},
            "last_status": "materialized",
            "status_run_id": run_id,
            "status_at": timestamp,
        }
    status = "running" if event_type == STEP_START else "canceled" if data.get("canceled") else "failed"
    return {"last_status": status, "status_run_id": run_id, "status_at": timestamp}


def _fold_asset_fields(events: Iterable[tuple[int, Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Replay events in id order into per-asset column updates (later events win)."""
    into: dict[str, dict[str, Any]] = {}
    for event_id, event in events:
        key = event["asset_key"]
        # a multi-asset's step events name no single asset: its members are listed in the data
        keys = [key] if key else (event["data"] or {}).get("asset_keys") or ()
        if not keys:
            continue
        fields = _asset_fields(event, event_id)
        if fields:
            for k in keys:
                into.setdefault(k, {}).update(fields)
    return into


def _fold_partition_fields(
    events: Iterable[tuple[int, Mapping[str, Any]]],
) -> dict[tuple[str, str], dict[str, Any]]:
    """Replay materializations that name a partition into per-(asset, partition) rows (later win)."""
    into: dict[tuple[str, str], dict[str, Any]] = {}
    for event_id, event in events:
        if event["event_type"] != ASSET_MATERIALIZATION:
            continue
        data = event["data"] or {}
        partition = data.get("partition")
        if partition is None or not event["asset_key"]:
            continue
        into[(event["asset_key"], str(partition))] = {
            "asset_key": event["asset_key"],
            "partition_key": str(partition),
            "last_materialization_event_id": event_id,
            "last_materialized_at": event["timestamp"],
            "last_run_id": event["run_id"],
            "metadata": data.get("metadata") or {},
        }
    return into


_PARTITION_COLUMNS = ("last_materialization_event_id", "last_materialized_at", "last_run_id", "metadata")


def project_events(conn: Connection, ids: Sequence[int], rows: Sequence[Mapping[str, Any]]) -> None:
    """Fold just-inserted event rows into ``asset_state`` (and ``asset_partitions`` for partitioned
    materializations) inside the caller's transaction.

    Only the columns each asset's events touched are upserted, grouped so each group is one batch.
    """
    updates = _fold_asset_fields(zip(ids, rows, strict=True))
    if not updates:
        return
    partitions = _fold_partition_fields(zip(ids, rows, strict=True))
    if partitions:
        bulk_write(conn, ASSET_PARTITIONS, list(partitions.values()), upsert_columns=_PARTITION_COLUMNS)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for key, fields in updates.items():
        groups.setdefault(tuple(sorted(fields)), []).append({"asset_key": key, "metadata": {}, **fields})
    for columns, params in groups.items():
        bulk_write(conn, ASSETS, params, upsert_columns=columns)


@dataclass(frozen=True)
class AssetStateRow:
    """A read-only `AssetState`: building SQLModel objects cost ~60 us each, which a console
    listing thousands of assets every poll cannot afford."""

    asset_key: str
    last_materialization_event_id: int | None
    last_materialized_at: float | None
    last_run_id: str | None
    last_metadata: dict[str, Any]
    last_status: str | None
    status_run_id: str | None
    status_at: float | None

    def model_dump(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AssetPartitionRow:
    """The latest materialization of one partition of an asset."""

    partition_key: str
    last_materialization_event_id: int | None
    last_materialized_at: float | None
    last_run_id: str | None
    last_metadata: dict[str, Any]


def _asset_model(row: Row[Any]) -> AssetStateRow:
    m = row._mapping
    return AssetStateRow(
        asset_key=m["asset_key"],
        last_materialization_event_id=m["last_materialization_event_id"],
        last_materialized_at=m["last_materialized_at"],
        last_run_id=m["last_run_id"],
        last_metadata=m["metadata"] or {},
        last_status=m["last_status"],
        status_run_id=m["status_run_id"],
        status_at=m["status_at"],
    )


class AssetStateMixin(StoreConnection):
    """``Store`` methods that read or rebuild the asset-state projection."""

    @guarded
    def asset_states(self, keys: Iterable[str] | None = None) -> dict[str, AssetStateRow]:
        stmt = select(ASSETS)
        if keys is not None:
            stmt = stmt.where(ASSETS.c.asset_key.in_(list(keys)))
        with self._read() as conn:
            return {row.asset_key: _asset_model(row) for row in conn.execute(stmt)}

    @guarded
    def asset_partition_states(self, asset_key: str) -> dict[str, AssetPartitionRow]:
        """Partition key -> latest materialization of that partition of `asset_key`."""
        stmt = select(ASSET_PARTITIONS).where(ASSET_PARTITIONS.c.asset_key == asset_key)
        with self._read() as conn:
            return {
                row.partition_key: AssetPartitionRow(
                    partition_key=row.partition_key,
                    last_materialization_event_id=row.last_materialization_event_id,
                    last_materialized_at=row.last_materialized_at,
                    last_run_id=row.last_run_id,
                    last_metadata=row._mapping["metadata"] or {},
                )
                for row in conn.execute(stmt)
            }

    @guarded
    def rebuild_asset_states(self) -> None:
        """Recompute ``asset_state`` from the event log, which is the source of truth."""
        stmt = (
            select(
                EVENTS.c.id,
                EVENTS.c.run_id,
                EVENTS.c.event_type,
                EVENTS.c.timestamp,
                EVENTS.c.asset_key,
                EVENTS.c.data,
            )
            .where(EVENTS.c.event_type.in_(ASSET_STATE_EVENTS))
            .order_by(EVENTS.c.id)
        )
        with self._write() as conn:
            lock_event_log(conn)  # no event may land between the replay and the rewrite
            replayed = [(row.id, row._mapping) for row in conn.execute(stmt)]
            updates = _fold_asset_fields(replayed)
            partitions = _fold_partition_fields(replayed)
            conn.execute(delete(ASSET_PARTITIONS))
            if partitions:
                conn.execute(insert(ASSET_PARTITIONS), list(partitions.values()))
            conn.execute(delete(ASSETS))
            if updates:
                blank = dict.fromkeys(ASSETS.c.keys()) | {"metadata": {}}
                conn.execute(
                    insert(ASSETS), [blank | {"asset_key": key, **fields} for key, fields in updates.items()]
                )
