"""`context.instance`: the instance read methods Dagster examples call from a step
(`get_latest_materialization_event(s)`, `get_asset_records`, `get_event_records`,
`fetch_materializations`), answered from the store with objects shaped like Dagster's
(`.asset_materialization.metadata["rows"].value`).

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
from dagdeck.core.defs.event_records import EventRecordsFilter
from dagdeck.core.defs.metadata import MetadataValue
from dagdeck.core.defs.results import AssetMaterialization, AssetObservation
from dagdeck.core.events import EventType
from dagdeck.core.instance import DynamicPartitions, Instance
from dagdeck.store import Store


@dataclass(frozen=True)
class EventLogEntry:
    """One recorded event as Dagster returns it: run, step, time, and the asset event it carries."""

    run_id: str | None
    timestamp: float
    step_key: str | None
    dagster_event_type: str
    asset_materialization: AssetMaterialization | None = None
    asset_observation: AssetObservation | None = None
    level: str | None = None
    user_message: str = ""
    storage_id: int | None = None

    @property
    def message(self) -> str:
        return self.user_message


@dataclass(frozen=True)
class EventLogRecord:
    """An event with its storage id (the cursor `after_cursor`/`before_cursor` compare to)."""

    storage_id: int
    event_log_entry: EventLogEntry

    @property
    def run_id(self) -> str | None:
        return self.event_log_entry.run_id

    @property
    def timestamp(self) -> float:
        return self.event_log_entry.timestamp

    @property
    def event_type(self) -> str:
        return self.event_log_entry.dagster_event_type

    @property
    def asset_materialization(self) -> AssetMaterialization | None:
        return self.event_log_entry.asset_materialization

    @property
    def asset_observation(self) -> AssetObservation | None:
        return self.event_log_entry.asset_observation

    @property
    def asset_event(self) -> AssetMaterialization | AssetObservation | None:
        return self.asset_materialization or self.asset_observation

    @property
    def asset_key(self) -> AssetKey | None:
        event = self.asset_event
        return event.asset_key if event is not None else None

    @property
    def partition_key(self) -> str | None:
        event = self.asset_event
        return event.partition if event is not None else None


@dataclass(frozen=True)
class EventRecordsResult:
    records: list[EventLogRecord]
    cursor: str
    has_more: bool


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


@dataclass(frozen=True)
class CheckEvaluation:
    """One recorded evaluation of an asset check."""

    passed: bool
    metadata: dict[str, Any]
    timestamp: float
    run_id: str | None


@dataclass
class StepInstance(DynamicPartitions):
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

    def latest_check_evaluation(self, asset_key: Any, check_name: str) -> CheckEvaluation | None:
        """The newest evaluation of one asset check (dagdeck's read; Dagster reads it through its
        event log storage): what `build_sensor_for_freshness_checks` decides on."""
        key = AssetKey.from_coercible(asset_key).to_user_string()
        before: int | None = None
        while True:
            rows = self.store.get_events(
                event_types=[EventType.ASSET_CHECK_EVALUATION],
                asset_key=key,
                before_id=before,
                descending=True,
                limit=200,
            )
            for row in rows:
                if row.data.get("check_name") == check_name:
                    return CheckEvaluation(
                        passed=bool(row.data.get("passed")),
                        metadata=dict(row.data.get("metadata") or {}),
                        timestamp=row.timestamp,
                        run_id=row.run_id,
                    )
            if len(rows) < 200:
                return None
            before = rows[-1].id

    def has_asset_key(self, asset_key: Any) -> bool:
        return bool(self.get_asset_records([asset_key]))

    def get_event_records(
        self, event_records_filter: EventRecordsFilter, limit: int | None = None, ascending: bool = False
    ) -> list[EventLogRecord]:
        """Events of one type (one asset's, in a window), newest first unless `ascending`."""
        f = event_records_filter
        key = AssetKey.from_coercible(f.asset_key).to_user_string() if f.asset_key is not None else None
        wanted = set(f.storage_ids) if f.storage_ids is not None else None
        partitions = set(f.asset_partitions) if f.asset_partitions is not None else None
        out: list[EventLogRecord] = []
        before = f.before_cursor
        while limit is None or len(out) < limit:
            rows = self.store.get_events(
                event_types=[str(f.event_type)],
                asset_key=key,
                after_id=f.after_cursor or 0,
                before_id=before,
                descending=True,
                limit=1000,
            )
            for row in rows:
                if wanted is not None and row.id not in wanted:
                    continue
                if f.after_timestamp is not None and row.timestamp <= f.after_timestamp:
                    continue
                if f.before_timestamp is not None and row.timestamp >= f.before_timestamp:
                    continue
                if partitions is not None and row.data.get("partition") not in partitions:
                    continue
                out.append(EventLogRecord(row.id, _entry(row)))
            if len(rows) < 1000:
                break
            before = rows[-1].id
        out = out[:limit] if limit is not None else out
        return list(reversed(out)) if ascending else out

    def fetch_materializations(
        self, records_filter: Any, limit: int, cursor: str | None = None, ascending: bool = False
    ) -> EventRecordsResult:
        """Materializations of one asset key, a page of `limit` at a time (`cursor` from the last page)."""
        older_than = int(cursor) if cursor and not ascending else None
        newer_than = int(cursor) if cursor and ascending else None
        f = EventRecordsFilter(
            EventType.ASSET_MATERIALIZATION, records_filter, after_cursor=newer_than, before_cursor=older_than
        )
        if ascending:
            records = self.get_event_records(f, ascending=True)[:limit]
        else:
            records = self.get_event_records(f, limit=limit)
        last = records[-1].storage_id if records else (int(cursor) if cursor else 0)
        # as Dagster: a full page says there may be more, even when the next one is empty
        return EventRecordsResult(records, str(last), len(records) == limit)


def _entry(row: Any) -> EventLogEntry:
    """An event row as Dagster's entry; a materialization or observation with its metadata values."""
    materialization = observation = None
    if row.event_type in (EventType.ASSET_MATERIALIZATION, EventType.ASSET_OBSERVATION) and row.asset_key:
        metadata = {
            name: MetadataValue(entry.get("type", "text"), entry.get("value"))
            if isinstance(entry, dict)
            else entry
            for name, entry in (row.data.get("metadata") or {}).items()
        }
        cls = AssetMaterialization if row.event_type == EventType.ASSET_MATERIALIZATION else AssetObservation
        event = cls(
            AssetKey(row.asset_key.split("/")),
            description=row.data.get("description"),
            metadata=metadata,
            partition=row.data.get("partition"),
        )
        if isinstance(event, AssetMaterialization):
            materialization = event
        else:
            observation = event
    return EventLogEntry(
        row.run_id,
        row.timestamp,
        row.step_key,
        row.event_type,
        materialization,
        observation,
        row.level,
        row.message,
        row.id,
    )


def instance_reads(instance: Instance, emit: Callable[[dict[str, Any]], None]) -> Callable[[], StepInstance]:
    """What `context.instance` calls on first use; made once per run. `emit` is the run's event sink
    (its `flush` makes earlier events visible to reads)."""
    flush = getattr(getattr(emit, "__self__", None), "flush", None)
    pid = os.getpid()
    return lambda: StepInstance(instance, flush if os.getpid() == pid else None)
