"""Partitions in the store: dynamic partition keys, and the latest materialization of each partition
projected from the event log (and rebuilt from it)."""

from __future__ import annotations

from pathlib import Path

from dagdeck.core.events import EventType, make_event
from dagdeck.store import Store


def _materialized(store: Store, run_id: str, partition: str, value: int) -> None:
    store.append_events(
        [
            make_event(
                EventType.ASSET_MATERIALIZATION,
                run_id,
                step_key="orders",
                asset_key="orders",
                metadata={"n": {"type": "int", "value": value}},
                partition=partition,
            )
        ]
    )


def test_dynamic_partition_keys_keep_their_order(tmp_path: Path) -> None:
    store = Store.sqlite(tmp_path / "dagdeck.db")
    assert store.add_dynamic_partitions("files", ["b", "a", "b"]) == ["b", "a"]
    assert store.add_dynamic_partitions("files", ["a", "c"]) == ["c"]
    assert store.get_dynamic_partitions("files") == ["b", "a", "c"]
    assert store.delete_dynamic_partition("files", "a") is True
    assert store.delete_dynamic_partition("files", "a") is False
    assert store.get_dynamic_partitions("files") == ["b", "c"]
    assert store.get_dynamic_partitions("other") == []


def test_latest_materialization_per_partition_is_projected_and_rebuilt(tmp_path: Path) -> None:
    store = Store.sqlite(tmp_path / "dagdeck.db")
    _materialized(store, "r1", "2024-01-01", 1)
    _materialized(store, "r2", "2024-01-02", 2)
    _materialized(store, "r3", "2024-01-01", 3)
    rows = store.asset_partition_states("orders")
    assert sorted(rows) == ["2024-01-01", "2024-01-02"]
    assert (rows["2024-01-01"].last_run_id, rows["2024-01-01"].last_metadata["n"]["value"]) == ("r3", 3)
    store.rebuild_asset_states()
    assert store.asset_partition_states("orders") == rows
