"""Runs: the ``runs`` table, its status transitions and the run queue that claims QUEUED runs.

Every status change goes through a compare-and-set (``transition_run``, ``claim_queued_runs``) and
writes its events in the same transaction via ``events.insert_events``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, insert, or_, select, update

from dagdeck.store.connection import StoreConnection, guarded, guarded_without_reserve
from dagdeck.store.engine import lock_run_queue, skip_locked
from dagdeck.store.errors import StoreError
from dagdeck.store.events import insert_events
from dagdeck.store.tables import RUNS, Run

_RUN_FIELDS = frozenset(RUNS.c.keys()) - {"run_id"}


def _run_model(row: Row[Any]) -> Run:
    return Run(**row._mapping)


def _run_filters(
    statuses: Iterable[str] | None, job: str | None, text: str | None, tags: Mapping[str, str] | None = None
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for key, value in (tags or {}).items():  # JSON path: json_extract on SQLite, ->> on PostgreSQL
        clauses.append(RUNS.c.tags[key].as_string() == value)
    if statuses is not None:
        clauses.append(RUNS.c.status.in_(list(statuses)))
    if job is not None:
        clauses.append(RUNS.c.job_name == job)
    if text:
        clauses.append(
            or_(
                RUNS.c.run_id.icontains(text, autoescape=True),
                RUNS.c.job_name.icontains(text, autoescape=True),
                RUNS.c.trigger.icontains(text, autoescape=True),
            )
        )
    return clauses


def _check_fields(fields: Iterable[str]) -> None:
    unknown = set(fields) - _RUN_FIELDS
    if unknown:
        raise ValueError(f"unknown Run fields: {sorted(unknown)}")


class RunsMixin(StoreConnection):
    """``Store`` methods for runs and the run queue."""

    @guarded
    def add_run(self, run: Run, events: Sequence[Mapping[str, Any]] = ()) -> None:
        """Insert a run together with its first events (e.g. the enqueue event)."""
        with self._write() as conn:
            conn.execute(insert(RUNS), run.model_dump())
            insert_events(conn, events)

    @guarded
    def get_run(self, run_id: str) -> Run | None:
        with self._read() as conn:
            row = conn.execute(select(RUNS).where(RUNS.c.run_id == run_id)).first()
        return None if row is None else _run_model(row)

    @guarded
    def find_run(self, prefix: str) -> Run | None:
        """The run whose id is ``prefix`` or starts with it (>= 4 chars); StoreError if ambiguous."""
        with self._read() as conn:
            row = conn.execute(select(RUNS).where(RUNS.c.run_id == prefix)).first()
            if row is not None:
                return _run_model(row)
            if len(prefix) < 4:
                return None
            stmt = select(RUNS).where(RUNS.c.run_id.startswith(prefix, autoescape=True)).limit(2)
            rows = conn.execute(stmt).all()
        if len(rows) > 1:
            raise StoreError(f"run id prefix {prefix!r} is ambiguous; type more characters")
        return _run_model(rows[0]) if rows else None

    @guarded
    def list_runs(
        self,
        statuses: Iterable[str] | None = None,
        job: str | None = None,
        text: str | None = None,
        limit: int = 50,
        offset: int = 0,
        tags: Mapping[str, str] | None = None,
    ) -> list[Run]:
        """Runs newest first; ``text`` is a case-insensitive substring of run id, job or trigger;
        ``tags``: only runs with each of these tag values (e.g. ``dagster/partition``)."""
        stmt = (
            select(RUNS)
            .where(*_run_filters(statuses, job, text, tags))
            .order_by(RUNS.c.created_at.desc(), RUNS.c.run_id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._read() as conn:
            return [_run_model(row) for row in conn.execute(stmt)]

    @guarded
    def count_runs(
        self,
        statuses: Iterable[str] | None = None,
        job: str | None = None,
        text: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> int:
        stmt = select(func.count()).select_from(RUNS).where(*_run_filters(statuses, job, text, tags))
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    @guarded
    def runs_by_status(self, statuses: Iterable[str]) -> list[Run]:
        """All runs in the given statuses, oldest first (for daemons sweeping queues and zombies)."""
        stmt = select(RUNS).where(RUNS.c.status.in_(list(statuses))).order_by(RUNS.c.created_at)
        with self._read() as conn:
            return [_run_model(row) for row in conn.execute(stmt)]

    @guarded_without_reserve
    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set columns of a run unconditionally (heartbeats, pid); use ``transition_run`` for status."""
        _check_fields(fields)
        if not fields:
            return
        with self._write() as conn:
            conn.execute(update(RUNS).where(RUNS.c.run_id == run_id).values(**fields))

    @guarded
    def transition_run(
        self,
        run_id: str,
        from_statuses: Iterable[str],
        to_status: str,
        fields: Mapping[str, Any] | None = None,
        events: Sequence[Mapping[str, Any]] = (),
        match: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set the status; False (nothing written) if the run was not in ``from_statuses``
        or a ``match`` column (None: NULL) differs, e.g. the worker pid a reader judged dead.

        Racing writers (a cancel against a finishing run) thus resolve to exactly one winner.
        """
        values = dict(fields or {})
        _check_fields(values)
        _check_fields(match or {})
        values["status"] = to_status
        same = [RUNS.c[k].is_(None) if v is None else RUNS.c[k] == v for k, v in (match or {}).items()]
        stmt = (
            update(RUNS)
            .where(RUNS.c.run_id == run_id, RUNS.c.status.in_(list(from_statuses)), *same)
            .values(**values)
        )
        with self._write() as conn:
            if conn.execute(stmt).rowcount != 1:
                return False
            insert_events(conn, events)
            return True

    @guarded
    def claim_queued_runs(
        self,
        max_active: int,
        active_statuses: Iterable[str],
        to_status: str = "STARTING",
        event_factory: Callable[[Run], Mapping[str, Any]] | None = None,
        claim_fields: Mapping[str, Any] | None = None,
        batch: int | None = None,
    ) -> list[Run]:
        """Move the oldest QUEUED runs into the free slots under ``max_active`` (negative: no
        limit; 0: none, the queue is paused), at most ``batch`` of them, atomically.

        ``claim_fields`` (who claims, and when) are written with the new status, so a claimer that
        dies before starting the worker leaves a claim others can judge. Returns the claimed runs
        as written; ``event_factory`` events go in the same transaction.
        """
        fields = dict(claim_fields or {})
        _check_fields(fields)
        with self._write() as conn:
            lock_run_queue(conn)
            pick = select(RUNS).where(RUNS.c.status == "QUEUED").order_by(RUNS.c.created_at, RUNS.c.run_id)
            if max_active >= 0:
                active = conn.execute(
                    select(func.count()).select_from(RUNS).where(RUNS.c.status.in_(list(active_statuses)))
                ).scalar_one()
                free = max_active - int(active)
                if free <= 0:
                    return []
                batch = free if batch is None else min(batch, free)
            if batch is not None:
                pick = pick.limit(batch)
            runs = [_run_model(row) for row in conn.execute(skip_locked(conn, pick))]
            if not runs:
                return []
            conn.execute(
                update(RUNS)
                .where(RUNS.c.run_id.in_([run.run_id for run in runs]), RUNS.c.status == "QUEUED")
                .values(status=to_status, **fields)
            )
            for run in runs:
                run.status = to_status
                for name, value in fields.items():
                    setattr(run, name, value)
            if event_factory is not None:
                insert_events(conn, [event_factory(run) for run in runs])
            return runs

    @guarded
    def set_worker(self, run_id: str, pid: int, started_at: float | None, heartbeat_at: float) -> bool:
        """Record the worker a claimer just started, unless the worker recorded itself already
        (it may have; and a second spawn after a lost reply must not overwrite the real one)."""
        stmt = (
            update(RUNS)
            .where(RUNS.c.run_id == run_id, RUNS.c.pid.is_(None))
            .values(pid=pid, pid_started_at=started_at, heartbeat_at=heartbeat_at)
        )
        with self._write() as conn:
            return conn.execute(stmt).rowcount == 1


def insert_queued_run(conn: Connection, run: Run, events: Sequence[Mapping[str, Any]]) -> None:
    """Insert a QUEUED run and its first events (RUN_ENQUEUED) in the caller's open transaction.

    A sensor or schedule tick claims a run key and creates the run in one transaction this way
    (``AutomationMixin.submit_tick_runs``), so a crash can never leave a used key without its run.
    """
    conn.execute(insert(RUNS), run.model_dump())
    insert_events(conn, events)
