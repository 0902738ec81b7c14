"""Querying the event log from a step, with Dagster's names: `EventRecordsFilter` and
`DagsterEventType` for `context.instance.get_event_records(...)`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dagdeck.core.events import EventType

DagsterEventType = EventType
"""Dagster's name for event types; the values are the same strings (`ASSET_MATERIALIZATION`, ...)."""


@dataclass(frozen=True)
class EventRecordsFilter:
    """Which events `get_event_records` returns: one type, optionally one asset key, partitions,
    a storage-id window (`after_cursor`/`before_cursor`) or a time window."""

    event_type: Any
    asset_key: Any = None
    asset_partitions: Sequence[str] | None = None
    after_cursor: int | None = None
    before_cursor: int | None = None
    after_timestamp: float | None = None
    before_timestamp: float | None = None
    storage_ids: Sequence[int] | None = None
