"""Events: the append-only log every write lands in, and the reads that tail, page and count it.

``insert_events`` is the one place events are written: it appends them under the event-log lock and
projects them into asset state in the caller's transaction, so ``runs`` calls it too when a run
transition carries events. ``EventRow`` is how an event reads back.

``append_events`` never writes a batch twice: its ids are known before COMMIT, so when a COMMIT
loses its connection the store reads those ids back once reconnected and writes the batch again only
if they are not there (no schema change needed: a rolled-back batch leaves no row with its content).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select

from dagdeck.store.asset_state import ASSET_MATERIALIZATION, project_events
from dagdeck.store.connection import StoreConnection, guarded, log_safely
from dagdeck.store.engine import bulk_write, lock_event_log
from dagdeck.store.tables import EVENTS

_EVENT_COLUMNS = (
    EVENTS.c.id,
    EVENTS.c.run_id,
    EVENTS.c.event_type,
    EVENTS.c.timestamp,
    EVENTS.c.step_key,
    EVENTS.c.asset_key,
    EVENTS.c.level,
    EVENTS.c.message,
    EVENTS.c.data,
)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event as read back; immutable so tailers can share rows between threads freely."""

    id: int
    run_id: str | None
    event_type: str
    timestamp: float
    step_key: str | None
    asset_key: str | None
    level: str | None
    message: str
    data: dict[str, Any] = field(default_factory=dict)


def _event_row(row: Row[Any]) -> EventRow:
    return EventRow(*row)


def _event_params(event: Mapping[str, Any]) -> dict[str, Any]:
    """Normalize an event dict to a full row; only ``event_type`` is mandatory."""
    try:
        event_type = event["event_type"]
    except KeyError:
        raise ValueError(f"event without event_type: {dict(event)!r}") from None
    timestamp = event.get("timestamp")
    return {
        "run_id": event.get("run_id"),
        "event_type": event_type,
        "timestamp": time.time() if timestamp is None else timestamp,
        "step_key": event.get("step_key"),
        "asset_key": event.get("asset_key"),
        "level": event.get("level"),
        "message": event.get("message") or "",
        "data": event.get("data") or {},
    }


def insert_events(conn: Connection, events: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert events and fold them into ``asset_state`` inside the caller's transaction."""
    if not events:
        return []
    return _insert_rows(conn, [_event_params(event) for event in events])


def _insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    lock_event_log(conn)
    ids = bulk_write(conn, EVENTS, rows, return_ids=True)
    project_events(conn, ids, rows)
    return ids


def _same_event(found: Row[Any] | None, row: Mapping[str, Any]) -> bool:
    """Whether the stored row is this event (its id may have gone to another writer's event)."""
    return found is not None and (found.run_id, found.event_type, found.timestamp, found.message) == (
        row["run_id"],
        row["event_type"],
        row["timestamp"],
        row["message"],
    )


def _landed(conn: Connection, ids: list[int], rows: list[dict[str, Any]]) -> bool:
    """Whether a transaction that inserted ``rows`` as ``ids`` committed: its first and last rows are
    there with their content (on SQLite a rolled-back id may since belong to another event)."""
    ends = {ids[0]: rows[0], ids[-1]: rows[-1]}
    found = {row.id: row for row in conn.execute(select(*_EVENT_COLUMNS).where(EVENTS.c.id.in_(list(ends))))}
    return all(_same_event(found.get(i), row) for i, row in ends.items())


class EventsMixin(StoreConnection):
    """``Store`` methods that append to and read the event log."""

    def append_events(self, events: Sequence[Mapping[str, Any]]) -> list[int]:
        """Append events in one transaction (with their AssetState updates); returns ids in order.

        Exactly once, even when a COMMIT loses its connection (see the module docstring). A full disk
        raises ``DiskFullError`` without touching the reserve kept for ending runs.
        """
        if not events:
            return []
        # Normalized once, so a second attempt writes the very same rows (timestamps included).
        rows = [_event_params(event) for event in events]
        tried: list[int] = []

        def write() -> list[int]:
            with self._write() as conn:
                if tried:
                    # Under the event-log lock the uncertain transaction is over (it held the lock):
                    # its rows are either all there or not at all, and no one can add them meanwhile.
                    lock_event_log(conn)
                    if _landed(conn, tried, rows):
                        log_safely(logging.WARNING, "%s: a write of %d events lost its connection at COMMIT "
                                   "but was recorded; not writing it again", self.where, len(rows))
                        return list(tried)
                    log_safely(logging.WARNING, "%s: a write of %d events lost its connection before it "
                               "was recorded; writing it again", self.where, len(rows))
                ids = _insert_rows(conn, rows)
                tried[:] = ids  # known before COMMIT: what the next attempt looks for
                return ids

        return self._retrying(write, replayable=True, use_reserve=False)

    @guarded
    def get_events(
        self,
        run_id: str | None = None,
        after_id: int = 0,
        limit: int = 1000,
        event_types: Iterable[str] | None = None,
        asset_key: str | None = None,
        step_key: str | None = None,
        descending: bool = False,
        before_id: int | None = None,
    ) -> list[EventRow]:
        """Events by id (the global cursor): tail with ``after_id``, page backwards with ``before_id``."""
        clauses: list[ColumnElement[bool]] = []
        if run_id is not None:
            clauses.append(EVENTS.c.run_id == run_id)
        if after_id:
            clauses.append(EVENTS.c.id > after_id)
        if before_id is not None:
            clauses.append(EVENTS.c.id < before_id)
        if event_types is not None:
            clauses.append(EVENTS.c.event_type.in_(list(event_types)))
        if asset_key is not None:
            clauses.append(EVENTS.c.asset_key == asset_key)
        if step_key is not None:
            clauses.append(EVENTS.c.step_key == step_key)
        order = EVENTS.c.id.desc() if descending else EVENTS.c.id.asc()
        stmt = select(*_EVENT_COLUMNS).where(*clauses).order_by(order).limit(limit)
        with self._read() as conn:
            return [_event_row(row) for row in conn.execute(stmt)]

    @guarded
    def events_by_id(self, ids: Iterable[int]) -> dict[int, EventRow]:
        """Several events by id in one query (e.g. the materializations `asset_state` points at)."""
        wanted = sorted(set(ids))
        out: dict[int, EventRow] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 900):  # stay under SQLite's bound-parameter limit
                stmt = select(*_EVENT_COLUMNS).where(EVENTS.c.id.in_(wanted[start : start + 900]))
                for row in conn.execute(stmt):
                    event = _event_row(row)
                    out[event.id] = event
        return out

    @guarded
    def materialization_history(self, asset_key: str, limit: int = 50) -> list[EventRow]:
        """Materialization events of one asset, newest first (served by the asset/type/id index)."""
        stmt = (
            select(*_EVENT_COLUMNS)
            .where(EVENTS.c.asset_key == asset_key, EVENTS.c.event_type == ASSET_MATERIALIZATION)
            .order_by(EVENTS.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [_event_row(row) for row in conn.execute(stmt)]

    @guarded
    def last_event_id(self) -> int:
        """The newest event id (0 when empty): where a new tailer starts."""
        with self._read() as conn:
            return int(conn.execute(select(func.max(EVENTS.c.id))).scalar() or 0)

    @guarded
    def count_events(self, run_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(EVENTS)
        if run_id is not None:
            stmt = stmt.where(EVENTS.c.run_id == run_id)
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())
