"""Automation state: schedule/sensor instigators (on/off, cursor), their ticks, and used run keys.

A tick that launches runs is written in three kinds of transaction: the STARTED tick (``add_tick``),
then batches that each claim run keys *and* create their QUEUED runs and list them on the tick
(``submit_tick_runs``), then the end of the tick with the instigator's new cursor (``finish_tick``).
A daemon killed anywhere in between leaves no claimed key without its run and no cursor moved past
requests that were not submitted; the next leader resumes the tick. ``commit_tick`` writes a tick
that launches nothing (skipped, failed) together with the cursor.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Connection, case, insert, select, update

from dagdeck.store.connection import StoreConnection, guarded
from dagdeck.store.engine import insert_for
from dagdeck.store.runs import insert_queued_run
from dagdeck.store.tables import INSTIGATORS, RUN_KEYS, TICKS, InstigatorState, Run, Tick

_TICK_FIELDS = frozenset(TICKS.c.keys()) - {"id"}


class _Unset:
    """Sentinel type: "leave unchanged", distinct from an explicit None."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def _insert_tick(conn: Connection, tick: Tick) -> int:
    values = tick.model_dump(exclude={"id"})
    tick_id = int(conn.execute(insert(TICKS).returning(TICKS.c.id), values).scalar_one())
    tick.id = tick_id
    return tick_id


def _claim_key(conn: Connection, instigator_name: str, run_key: str, run_id: str | None, now: float) -> bool:
    stmt = (
        insert_for(conn.dialect.name, RUN_KEYS)
        .values(instigator_name=instigator_name, run_key=run_key, run_id=run_id, created_at=now)
        .on_conflict_do_nothing(index_elements=[RUN_KEYS.c.instigator_name, RUN_KEYS.c.run_key])
    )
    return conn.execute(stmt).rowcount == 1


def _set_cursor(conn: Connection, instigator_name: str, kind: str, cursor: str | None, now: float) -> None:
    """Move an instigator's cursor, creating its row (STOPPED) if it has none yet."""
    conn.execute(
        insert_for(conn.dialect.name, INSTIGATORS)
        .values(name=instigator_name, kind=kind, status="STOPPED", updated_at=now)
        .on_conflict_do_nothing(index_elements=[INSTIGATORS.c.name])
    )
    conn.execute(
        update(INSTIGATORS).where(INSTIGATORS.c.name == instigator_name).values(cursor=cursor, updated_at=now)
    )


TickRun = tuple[str, Run, Sequence[Mapping[str, Any]]]
"""One request of a tick: its run key, the QUEUED run it becomes, and that run's first events."""


class AutomationMixin(StoreConnection):
    """``Store`` methods for instigators, ticks and run keys."""

    @guarded
    def get_instigator(self, name: str) -> InstigatorState | None:
        with self._read() as conn:
            row = conn.execute(select(INSTIGATORS).where(INSTIGATORS.c.name == name)).first()
        return None if row is None else InstigatorState(**row._mapping)

    @guarded
    def all_instigators(self) -> list[InstigatorState]:
        with self._read() as conn:
            rows = conn.execute(select(INSTIGATORS).order_by(INSTIGATORS.c.name)).all()
        return [InstigatorState(**row._mapping) for row in rows]

    @guarded
    def upsert_instigator(
        self,
        name: str,
        kind: str,
        status: str | None = None,
        cursor: str | None | _Unset = UNSET,
        now: float | None = None,
    ) -> InstigatorState:
        """Create (default STOPPED) or update; ``status``/``cursor`` left alone when not given.

        ``now`` (default: the wall clock) stamps ``updated_at``/``started_at``, so a daemon running
        on an injected clock records start times on that same clock."""
        now = time.time() if now is None else now
        with self._write() as conn:
            created = conn.execute(
                insert_for(conn.dialect.name, INSTIGATORS)
                .values(
                    name=name,
                    kind=kind,
                    status=status or "STOPPED",
                    cursor=None if isinstance(cursor, _Unset) else cursor,
                    updated_at=now,
                    started_at=now if status == "RUNNING" else None,
                )
                .on_conflict_do_nothing(index_elements=[INSTIGATORS.c.name])
            ).rowcount
            if not created:
                values: dict[str, Any] = {"kind": kind, "updated_at": now}
                if status is not None:
                    values["status"] = status
                    if status == "RUNNING":
                        # Keep the original start time when it was already running.
                        values["started_at"] = case(
                            (INSTIGATORS.c.status == "RUNNING", INSTIGATORS.c.started_at), else_=now
                        )
                if not isinstance(cursor, _Unset):
                    values["cursor"] = cursor
                conn.execute(update(INSTIGATORS).where(INSTIGATORS.c.name == name).values(**values))
            row = conn.execute(select(INSTIGATORS).where(INSTIGATORS.c.name == name)).one()
        return InstigatorState(**row._mapping)

    @guarded
    def add_tick(self, tick: Tick) -> int:
        """Insert a tick; returns its id (also set on ``tick``)."""
        with self._write() as conn:
            return _insert_tick(conn, tick)

    @guarded
    def update_tick(self, tick_id: int, **fields: Any) -> None:
        unknown = set(fields) - _TICK_FIELDS
        if unknown:
            raise ValueError(f"unknown Tick fields: {sorted(unknown)}")
        if not fields:
            return
        with self._write() as conn:
            conn.execute(update(TICKS).where(TICKS.c.id == tick_id).values(**fields))

    @guarded
    def list_ticks(self, instigator_name: str, limit: int = 50) -> list[Tick]:
        stmt = (
            select(TICKS)
            .where(TICKS.c.instigator_name == instigator_name)
            .order_by(TICKS.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [Tick(**row._mapping) for row in conn.execute(stmt)]

    @guarded
    def claim_run_key(self, instigator_name: str, run_key: str, run_id: str | None, now: float) -> bool:
        """True if this run key is new for the instigator (and is now recorded), False if already used."""
        with self._write() as conn:
            return _claim_key(conn, instigator_name, run_key, run_id, now)

    @guarded
    def commit_tick(
        self,
        tick: Tick,
        cursor: str | None,
        instigator_name: str,
        run_keys: Sequence[tuple[str, str]],
    ) -> list[str]:
        """Write a tick, the instigator's new cursor and its ``(run_key, run_id)`` claims atomically.

        Returns the run keys that were new. Run ids whose key was already used are dropped from
        ``tick.run_ids`` so the tick records only runs it really requested. The tick id is set on ``tick``.
        """
        now = time.time()
        new_keys: list[str] = []
        duplicate_run_ids: set[str] = set()
        with self._write() as conn:
            for run_key, run_id in run_keys:
                if _claim_key(conn, instigator_name, run_key, run_id, tick.timestamp):
                    new_keys.append(run_key)
                else:
                    duplicate_run_ids.add(run_id)
            if duplicate_run_ids:
                tick.run_ids = [rid for rid in tick.run_ids if rid not in duplicate_run_ids]
            _insert_tick(conn, tick)
            _set_cursor(conn, instigator_name, tick.kind, cursor, now)
        return new_keys

    @guarded
    def submit_tick_runs(
        self, tick_id: int, instigator_name: str, runs: Sequence[TickRun]
    ) -> tuple[list[str], list[str]]:
        """In one transaction: claim each run key, create the QUEUED run (and its events) of every
        key newly claimed, and append those run ids to the tick's ``run_ids``.

        Returns the run ids created and the keys already used by a run *not* listed on this tick. A
        key this tick claimed before (a resumed tick) is in neither: its run exists and is listed.
        """
        created: list[str] = []
        taken: list[str] = []
        with self._write() as conn:
            stmt = select(TICKS.c.run_ids).where(TICKS.c.id == tick_id).with_for_update()
            listed: list[str] = list(conn.execute(stmt).scalar() or [])
            for run_key, run, events in runs:
                if _claim_key(conn, instigator_name, run_key, run.run_id, run.created_at):
                    insert_queued_run(conn, run, events)
                    created.append(run.run_id)
                else:
                    taken.append(run_key)
            used_elsewhere: list[str] = []
            if taken:
                owners = dict(
                    conn.execute(
                        select(RUN_KEYS.c.run_key, RUN_KEYS.c.run_id).where(
                            RUN_KEYS.c.instigator_name == instigator_name, RUN_KEYS.c.run_key.in_(taken)
                        )
                    ).all()
                )
                mine = set(listed)
                used_elsewhere = [key for key in taken if owners.get(key) not in mine]
            if created:
                conn.execute(update(TICKS).where(TICKS.c.id == tick_id).values(run_ids=[*listed, *created]))
        return created, used_elsewhere

    @guarded
    def finish_tick(
        self, tick_id: int, instigator_name: str, kind: str, cursor: str | None, **fields: Any
    ) -> Tick | None:
        """Set a tick's final fields and its cursor, and move the instigator's cursor to it, in one
        transaction; returns the tick as stored (None if it is gone)."""
        unknown = set(fields) - _TICK_FIELDS
        if unknown:
            raise ValueError(f"unknown Tick fields: {sorted(unknown)}")
        with self._write() as conn:
            conn.execute(update(TICKS).where(TICKS.c.id == tick_id).values(**fields, cursor=cursor))
            _set_cursor(conn, instigator_name, kind, cursor, time.time())
            row = conn.execute(select(TICKS).where(TICKS.c.id == tick_id)).first()
        return None if row is None else Tick(**row._mapping)
