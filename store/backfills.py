"""Backfills: the ``backfills`` record and the runs it launched, one per chunk of partitions.

Launching is idempotent: ``launch_backfill_runs`` claims a chunk (a ``backfill_runs`` row keyed by
backfill and chunk) and inserts its QUEUED run in one transaction, after checking under the write
lock that the backfill is still active. A daemon killed anywhere leaves every chunk either claimed
with its run or untouched, so the next leader neither relaunches nor loses a partition, and a
cancel racing a launch wins or loses whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, select, update

from dagdeck.store.connection import StoreConnection, guarded
from dagdeck.store.engine import insert_for
from dagdeck.store.errors import StoreError
from dagdeck.store.runs import insert_queued_run
from dagdeck.store.tables import BACKFILL_RUNS, BACKFILLS, RUNS, Backfill, Run

BackfillLaunch = tuple[int, Run, Sequence[Mapping[str, Any]]]
"""One chunk to launch: its index, the QUEUED run it becomes, and that run's first events."""

_BACKFILL_FIELDS = frozenset(BACKFILLS.c.keys()) - {"backfill_id"}


class BackfillsMixin(StoreConnection):
    """``Store`` methods for backfills and the runs they launched."""

    @guarded
    def add_backfill(self, backfill: Backfill) -> None:
        with self._write() as conn:
            conn.execute(insert(BACKFILLS), backfill.model_dump())

    @guarded
    def get_backfill(self, backfill_id: str) -> Backfill | None:
        with self._read() as conn:
            row = conn.execute(select(BACKFILLS).where(BACKFILLS.c.backfill_id == backfill_id)).first()
        return None if row is None else Backfill(**row._mapping)

    @guarded
    def find_backfill(self, prefix: str) -> Backfill | None:
        """The backfill whose id is ``prefix`` or starts with it (>= 4 chars); StoreError if ambiguous."""
        with self._read() as conn:
            row = conn.execute(select(BACKFILLS).where(BACKFILLS.c.backfill_id == prefix)).first()
            if row is not None:
                return Backfill(**row._mapping)
            if len(prefix) < 4:
                return None
            stmt = (
                select(BACKFILLS).where(BACKFILLS.c.backfill_id.startswith(prefix, autoescape=True)).limit(2)
            )
            rows = conn.execute(stmt).all()
        if len(rows) > 1:
            raise StoreError(f"backfill id prefix {prefix!r} is ambiguous; type more characters")
        return Backfill(**rows[0]._mapping) if rows else None

    @guarded
    def list_backfills(self, statuses: Iterable[str] | None = None, limit: int = 50) -> list[Backfill]:
        """Backfills newest first."""
        stmt = select(BACKFILLS)
        if statuses is not None:
            stmt = stmt.where(BACKFILLS.c.status.in_(list(statuses)))
        stmt = stmt.order_by(BACKFILLS.c.created_at.desc(), BACKFILLS.c.backfill_id.desc()).limit(limit)
        with self._read() as conn:
            return [Backfill(**row._mapping) for row in conn.execute(stmt)]

    @guarded
    def backfill_runs(self, backfill_id: str) -> list[tuple[int, str, str | None]]:
        """``(chunk, run_id, run status)`` of every run the backfill launched, by chunk (status None
        if the run was deleted)."""
        stmt = (
            select(BACKFILL_RUNS.c.chunk, BACKFILL_RUNS.c.run_id, RUNS.c.status)
            .select_from(BACKFILL_RUNS.outerjoin(RUNS, RUNS.c.run_id == BACKFILL_RUNS.c.run_id))
            .where(BACKFILL_RUNS.c.backfill_id == backfill_id)
            .order_by(BACKFILL_RUNS.c.chunk)
        )
        with self._read() as conn:
            return [(int(c), str(r), s) for c, r, s in conn.execute(stmt)]

    @guarded
    def backfill_run_counts(self, backfill_id: str) -> dict[str | None, int]:
        """How many of the backfill's runs are in each status (one GROUP BY, for the daemon's pass)."""
        stmt = (
            select(RUNS.c.status, func.count())
            .select_from(BACKFILL_RUNS.outerjoin(RUNS, RUNS.c.run_id == BACKFILL_RUNS.c.run_id))
            .where(BACKFILL_RUNS.c.backfill_id == backfill_id)
            .group_by(RUNS.c.status)
        )
        with self._read() as conn:
            return {status: int(n) for status, n in conn.execute(stmt)}

    @guarded
    def launch_backfill_runs(
        self,
        backfill_id: str,
        active_statuses: Iterable[str],
        in_progress: str,
        launches: Sequence[BackfillLaunch],
    ) -> list[str]:
        """In one transaction, if the backfill is still in ``active_statuses``: claim each chunk and
        insert its QUEUED run when the claim is new; mark the backfill ``in_progress``. Returns the
        run ids created (a chunk claimed before is skipped, its run untouched)."""
        created: list[str] = []
        with self._write() as conn:
            status = conn.execute(
                select(BACKFILLS.c.status).where(BACKFILLS.c.backfill_id == backfill_id).with_for_update()
            ).scalar()
            if status is None or status not in set(active_statuses):
                return []
            dialect = conn.dialect.name
            for chunk, run, events in launches:
                claimed = conn.execute(
                    insert_for(dialect, BACKFILL_RUNS)
                    .values(backfill_id=backfill_id, chunk=chunk, run_id=run.run_id)
                    .on_conflict_do_nothing(
                        index_elements=[BACKFILL_RUNS.c.backfill_id, BACKFILL_RUNS.c.chunk]
                    )
                ).rowcount
                if claimed == 1:
                    insert_queued_run(conn, run, events)
                    created.append(run.run_id)
            if status != in_progress:
                conn.execute(
                    update(BACKFILLS).where(BACKFILLS.c.backfill_id == backfill_id).values(status=in_progress)
                )
        return created

    @guarded
    def backfill_runs_never_started(
        self, backfill_id: str, ended_statuses: Iterable[str]
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """``(chunk, run_id, tags)`` of the backfill's runs that ended in ``ended_statuses`` without
        their worker ever recording the start (``started_at`` NULL): none of their code ran."""
        stmt = (
            select(BACKFILL_RUNS.c.chunk, BACKFILL_RUNS.c.run_id, RUNS.c.tags)
            .select_from(BACKFILL_RUNS.join(RUNS, RUNS.c.run_id == BACKFILL_RUNS.c.run_id))
            .where(
                BACKFILL_RUNS.c.backfill_id == backfill_id,
                RUNS.c.status.in_(list(ended_statuses)),
                RUNS.c.started_at.is_(None),
            )
            .order_by(BACKFILL_RUNS.c.chunk)
        )
        with self._read() as conn:
            return [(int(c), str(r), dict(t or {})) for c, r, t in conn.execute(stmt)]

    @guarded
    def relaunch_backfill_run(
        self, backfill_id: str, active_statuses: Iterable[str], old_run_id: str, launch: BackfillLaunch
    ) -> bool:
        """In one transaction, if the backfill is still active and the chunk still points at
        ``old_run_id``: point it at the new QUEUED run and insert that run. False otherwise."""
        chunk, run, events = launch
        with self._write() as conn:
            status = conn.execute(
                select(BACKFILLS.c.status).where(BACKFILLS.c.backfill_id == backfill_id).with_for_update()
            ).scalar()
            if status is None or status not in set(active_statuses):
                return False
            moved = conn.execute(
                update(BACKFILL_RUNS)
                .where(
                    BACKFILL_RUNS.c.backfill_id == backfill_id,
                    BACKFILL_RUNS.c.chunk == chunk,
                    BACKFILL_RUNS.c.run_id == old_run_id,
                )
                .values(run_id=run.run_id)
            ).rowcount
            if moved != 1:
                return False
            insert_queued_run(conn, run, events)
            return True

    @guarded
    def transition_backfill(
        self, backfill_id: str, from_statuses: Iterable[str], to_status: str, **fields: Any
    ) -> bool:
        """Compare-and-set a backfill's status (with ``ended_at``, ``failure_reason``...); False if
        it was not in ``from_statuses``."""
        unknown = set(fields) - _BACKFILL_FIELDS
        if unknown:
            raise ValueError(f"unknown Backfill fields: {sorted(unknown)}")
        stmt = (
            update(BACKFILLS)
            .where(BACKFILLS.c.backfill_id == backfill_id, BACKFILLS.c.status.in_(list(from_statuses)))
            .values(status=to_status, **fields)
        )
        with self._write() as conn:
            return conn.execute(stmt).rowcount == 1
