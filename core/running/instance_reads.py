"""`context.instance`: the instance read methods Dagster examples call from a step
(`get_latest_materialization_event`, `get_latest_materialization_events`, `get_asset_records`),
answered from the store with objects shaped like Dagster's (`.asset_materialization.metadata`).

A step in a forked process must not reuse its parent's store connections, so the instance is
reopened once per process. Events are written by a background writer; in the process that runs the
run, each read first waits for the events emitted so far (an upstream step's materialization of
this same run must be visible, as in Dagster, where events are written before the next step runs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.metadata import MetadataValue
from dagdeck.core.defs.results import AssetMaterialization
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.store import Store


@dataclass(frozen=True)
class EventLogEntry:
    """One recorded event as Dagster returns it: run, step, time and the materialization."""

    run_id: str | None
    timestamp: float
    step_key: str | None
    asset_materialization: AssetMaterialization | None
    storage_id: int | None = None

    @property
    def dagster_event_type(self) -> str:
        return str(EventType.ASSET_MATERIALIZATION)


@dataclass(frozen=True)
class AssetEntry:
    asset_key: AssetKey
    last_materialization: EventLogEntry | None = None
    last_run_id: str | None = None

    @property
    def last_materialization_storage_id(self) -> int | None:
        return self.last_materialization.storage_id if self.last_materialization else None


@dataclass(frozen=True)
class AssetRecord:
    storage_id: int
    asset_entry: AssetEntry


@dataclass
class StepInstance:
    """The read side of the instance a step's run belongs to."""

    instance: Instance
    flush: Callable[[], None] | None = None
    """Waits for the run's emitted events to be written (the run process only)."""
    pid: int = field(default_factory=os.getpid)

    @property
    def store(self) -> Store:
        if os.getpid() != self.pid:  # a forked step process: open its own connections
            self.instance = Instance.open(self.instance.home, settings=self.instance.settings)
            self.pid, self.flush = os.getpid(), None  # its upstream steps' processes wrote theirs
        if self.flush is not None:
            self.flush()
        return self.instance.store

    def get_latest_materialization_event(self, asset_key: Any) -> EventLogEntry | None:
        key = AssetKey.from_coercible(asset_key)
        rows = self.store.materialization_history(key.to_user_string(), limit=1)
        return _entry(rows[0]) if rows else None

    def get_latest_materialization_events(
        self, asset_keys: Iterable[Any]
    ) -> dict[AssetKey, EventLogEntry | None]:
        return {AssetKey.from_coercible(k): self.get_latest_materialization_event(k) for k in asset_keys}

    def get_asset_records(self, asset_keys: Sequence[Any] | None = None) -> list[AssetRecord]:
        """Assets with recorded history (all, or those of `asset_keys`), with their latest materialization."""
        wanted = (
            [AssetKey.from_coercible(k).to_user_string() for k in asset_keys]
            if asset_keys is not None
            else None
        )
        states = self.store.asset_states(wanted)
        ids = [s.last_materialization_event_id for s in states.values() if s.last_materialization_event_id]
        events = self.store.events_by_id(ids) if ids else {}
        records = []
        for i, (key, state) in enumerate(sorted(states.items())):
            event = (
                events.get(state.last_materialization_event_id)
                if state.last_materialization_event_id
                else None
            )
            entry = AssetEntry(AssetKey(key.split("/")), _entry(event) if event else None, state.last_run_id)
            records.append(AssetRecord(state.last_materialization_event_id or i, entry))
        return records

    def has_asset_key(self, asset_key: Any) -> bool:
        return bool(self.get_asset_records([asset_key]))


def _entry(row: Any) -> EventLogEntry:
    metadata = {
        name: MetadataValue(entry.get("type", "text"), entry.get("value"))
        if isinstance(entry, dict)
        else entry
        for name, entry in (row.data.get("metadata") or {}).items()
    }
    key = AssetKey((row.asset_key or "").split("/"))
    materialization = AssetMaterialization(key, description=row.data.get("description"), metadata=metadata)
    return EventLogEntry(row.run_id, row.timestamp, row.step_key, materialization, row.id)


def instance_reads(instance: Instance, emit: Callable[[dict[str, Any]], None]) -> Callable[[], StepInstance]:
    """What `context.instance` calls on first use; made once per run. `emit` is the run's event sink
    (its `flush` makes earlier events visible to reads)."""
    flush = getattr(getattr(emit, "__self__", None), "flush", None)
    pid = os.getpid()
    return lambda: StepInstance(instance, flush if os.getpid() == pid else None)
