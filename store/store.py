"""The ``Store``: the only code in dagdeck that talks SQL.

Every write method is exactly one transaction, so a crash never leaves an event without its derived
state (``AssetState``) or a run transition without its events. Returned SQLModel objects are plain
transient instances built from rows, safe to read from any thread after the call returns.

On PostgreSQL a lost connection (server restart, network cut) is retried with backoff for
``retry_seconds`` before the call fails with a ``StoreError``; ``connection_problem`` says what is
going on meanwhile so a console can show it. A transaction whose COMMIT itself failed is not retried:
whether it landed is unknown, and replaying it could record events twice.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from dagdeck.store.engine import (
    WRITE_OPTION,
    bulk_write,
    error_for,
    insert_for,
    is_disconnect,
    lock_event_log,
    lock_run_queue,
    make_engine,
    normalize_url,
    skip_locked,
    sqlite_path,
    unreachable,
)
from dagdeck.store.errors import StoreError
from dagdeck.store.schema import ensure_schema
from dagdeck.store.tables import AssetState, DaemonLease, EventRecord, InstigatorState, Run, RunKey, Tick

# The only engine semantics the store knows: which events move an asset's derived state.
ASSET_MATERIALIZATION: Final = "ASSET_MATERIALIZATION"
STEP_START: Final = "STEP_START"
STEP_FAILURE: Final = "STEP_FAILURE"
_ASSET_STATE_EVENTS: Final = (ASSET_MATERIALIZATION, STEP_START, STEP_FAILURE)

RUNS: Table = Run.__table__  # type: ignore[attr-defined]
EVENTS: Table = EventRecord.__table__  # type: ignore[attr-defined]
ASSETS: Table = AssetState.__table__  # type: ignore[attr-defined]
INSTIGATORS: Table = InstigatorState.__table__  # type: ignore[attr-defined]
TICKS: Table = Tick.__table__  # type: ignore[attr-defined]
RUN_KEYS: Table = RunKey.__table__  # type: ignore[attr-defined]
LEASES: Table = DaemonLease.__table__  # type: ignore[attr-defined]

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
_RUN_FIELDS = frozenset(RUNS.c.keys()) - {"run_id"}
_TICK_FIELDS = frozenset(TICKS.c.keys()) - {"id"}


class _Unset:
    """Sentinel type: "leave unchanged", distinct from an explicit None."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


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


P = ParamSpec("P")
R = TypeVar("R")


# Marks a driver error raised by COMMIT: the transaction may have landed, so it must not be replayed.
_IN_COMMIT = "_dagdeck_in_commit"


def _guarded(fn: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Retry lost connections, then turn driver errors into a one-line ``StoreError``."""

    @functools.wraps(fn)
    def wrapper(self: Store, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._retrying(functools.partial(fn, self, *args, **kwargs))

    return wrapper


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


def _asset_fields(event: Mapping[str, Any], event_id: int) -> dict[str, Any] | None:
    """Column values (by column name) an event sets on its asset's state, or None if it sets none."""
    event_type = event["event_type"]
    if event_type not in _ASSET_STATE_EVENTS:
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


def _fold_asset_fields(
    events: Iterable[tuple[int, Mapping[str, Any]]], into: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Replay events in id order into per-asset column updates (later events win)."""
    for event_id, event in events:
        key = event["asset_key"]
        if not key:
            continue
        fields = _asset_fields(event, event_id)
        if fields:
            into.setdefault(key, {}).update(fields)
    return into


def _run_model(row: Row[Any]) -> Run:
    return Run(**row._mapping)


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


def _event_row(row: Row[Any]) -> EventRow:
    return EventRow(*row)


_OPEN_STORES: weakref.WeakSet[Store] = weakref.WeakSet()


@contextmanager
def fork_guard() -> Iterator[None]:
    """Hold every store still and close its pooled connections while the caller forks.

    SQLite must not be carried across fork(): a child inherits the library's per-file lock and
    shared-memory bookkeeping, and its own new connections then misread the WAL. With no connection
    open at the moment of the fork, the child starts clean; the parent reconnects on next use.
    """
    stores = sorted(_OPEN_STORES, key=id)
    for store in stores:
        store._lock.acquire()
    try:
        for store in stores:
            store._engine.dispose()
        yield
    finally:
        for store in reversed(stores):
            store._lock.release()


class Store:
    """Persistent state of one dagdeck instance (SQLite file or PostgreSQL database)."""

    def __init__(self, url: str, *, busy_timeout: float = 30.0, retry_seconds: float = 15.0) -> None:
        """Open ``url`` and migrate it to the current schema.

        ``retry_seconds`` bounds how long a PostgreSQL call keeps retrying a lost connection (also
        while opening) before it raises; SQLite never needs it.
        """
        url = normalize_url(url)
        self._lock = threading.RLock()
        self._url = url
        self._path = sqlite_path(url)
        self._busy_timeout = busy_timeout
        self._retry_seconds = retry_seconds
        self._connection_problem: str | None = None
        self._engine = make_engine(url, busy_timeout=busy_timeout)
        self._dialect = self._engine.dialect.name
        try:
            self._retrying(lambda: ensure_schema(self._engine, self._where))
        except BaseException:
            self._engine.dispose()
            raise
        _OPEN_STORES.add(self)

    @classmethod
    def sqlite(cls, path: Path, *, busy_timeout: float = 30.0) -> Store:
        """Open (creating if needed) the SQLite database file at ``path``."""
        return cls(f"sqlite:///{Path(path).expanduser().absolute()}", busy_timeout=busy_timeout)

    @property
    def url(self) -> str:
        return self._url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def path(self) -> Path | None:
        """The SQLite database file, None for other databases."""
        return self._path

    @property
    def where(self) -> str:
        """The database for messages: the SQLite file, or the URL without its password."""
        return self._where

    @property
    def connection_problem(self) -> str | None:
        """Why the database is unreachable right now (while retrying or after giving up), else None."""
        return self._connection_problem

    def close(self) -> None:
        """Close pooled connections so the file can be removed or reopened elsewhere."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._where!r})"

    # -- plumbing -----------------------------------------------------------------------------------

    @property
    def _where(self) -> str:
        if self._path is not None:
            return str(self._path)
        return make_url(self._url).render_as_string(hide_password=True)

    def _translate(self, exc: DBAPIError) -> StoreError:
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        return error_for(self._where, self._busy_timeout, detail, integrity=isinstance(exc, IntegrityError))

    def _retrying(self, call: Callable[[], R]) -> R:
        """Run ``call``; while PostgreSQL is unreachable, retry with backoff up to ``retry_seconds``."""
        started = time.monotonic()
        delay = 0.05
        attempts = 0
        while True:
            attempts += 1
            try:
                result = call()
            except DBAPIError as exc:
                detail = str(exc.orig) if exc.orig is not None else str(exc)
                if not is_disconnect(self._dialect, exc):
                    raise self._translate(exc) from exc
                if getattr(exc, _IN_COMMIT, False):
                    self._connection_problem = detail.splitlines()[0] if detail else "connection lost"
                    raise StoreError(
                        f"database {self._where}: connection lost during COMMIT; the last write may or may "
                        "not have been recorded"
                    ) from exc
                elapsed = time.monotonic() - started
                first_line = detail.splitlines()[0] if detail else "connection lost"
                self._connection_problem = f"reconnecting to {self._where}: {first_line}"
                remaining = self._retry_seconds - elapsed
                if remaining <= 0:
                    error = unreachable(self._where, detail, attempts, elapsed)
                    self._connection_problem = str(error)
                    raise error from exc
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 2.0)
                continue
            if self._connection_problem is not None:
                self._connection_problem = None
            return result

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection for reads: autocommit, so each statement sees the latest commits.

        On PostgreSQL this also saves the BEGIN and ROLLBACK round trips of an implicit transaction.
        """
        with self._lock, self._engine.connect() as conn:
            if self._dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on normal exit."""
        with self._lock, self._engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin() as transaction:
                yield conn
                try:
                    transaction.commit()
                except DBAPIError as exc:
                    setattr(exc, _IN_COMMIT, True)
                    raise

    def _insert_events(self, conn: Connection, events: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert events and fold them into ``asset_state`` inside the caller's transaction."""
        if not events:
            return []
        rows = [_event_params(event) for event in events]
        lock_event_log(conn)
        ids = bulk_write(conn, EVENTS, rows, return_ids=True)
        updates = _fold_asset_fields(zip(ids, rows, strict=True), {})
        if updates:
            self._upsert_asset_fields(conn, updates)
        return ids

    def _upsert_asset_fields(self, conn: Connection, updates: Mapping[str, Mapping[str, Any]]) -> None:
        """Upsert only the columns each asset's events touched, grouped so each group is one executemany."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key, fields in updates.items():
            groups.setdefault(tuple(sorted(fields)), []).append({"asset_key": key, "metadata": {}, **fields})
        for columns, params in groups.items():
            bulk_write(conn, ASSETS, params, upsert_columns=columns)

    @staticmethod
    def _run_filters(
        statuses: Iterable[str] | None, job: str | None, text: str | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
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

    # -- runs ---------------------------------------------------------------------------------------

    @_guarded
    def add_run(self, run: Run, events: Sequence[Mapping[str, Any]] = ()) -> None:
        """Insert a run together with its first events (e.g. the enqueue event)."""
        with self._write() as conn:
            conn.execute(insert(RUNS), run.model_dump())
            self._insert_events(conn, events)

    @_guarded
    def get_run(self, run_id: str) -> Run | None:
        with self._read() as conn:
            row = conn.execute(select(RUNS).where(RUNS.c.run_id == run_id)).first()
        return None if row is None else _run_model(row)

    @_guarded
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

    @_guarded
    def list_runs(
        self,
        statuses: Iterable[str] | None = None,
        job: str | None = None,
        text: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Run]:
        """Runs newest first; ``text`` is a case-insensitive substring of run id, job or trigger."""
        stmt = (
            select(RUNS)
            .where(*self._run_filters(statuses, job, text))
            .order_by(RUNS.c.created_at.desc(), RUNS.c.run_id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._read() as conn:
            return [_run_model(row) for row in conn.execute(stmt)]

    @_guarded
    def count_runs(
        self, statuses: Iterable[str] | None = None, job: str | None = None, text: str | None = None
    ) -> int:
        stmt = select(func.count()).select_from(RUNS).where(*self._run_filters(statuses, job, text))
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    @_guarded
    def runs_by_status(self, statuses: Iterable[str]) -> list[Run]:
        """All runs in the given statuses, oldest first (for daemons sweeping queues and zombies)."""
        stmt = select(RUNS).where(RUNS.c.status.in_(list(statuses))).order_by(RUNS.c.created_at)
        with self._read() as conn:
            return [_run_model(row) for row in conn.execute(stmt)]

    @_guarded
    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set columns of a run unconditionally (heartbeats, pid); use ``transition_run`` for status."""
        unknown = set(fields) - _RUN_FIELDS
        if unknown:
            raise ValueError(f"unknown Run fields: {sorted(unknown)}")
        if not fields:
            return
        with self._write() as conn:
            conn.execute(update(RUNS).where(RUNS.c.run_id == run_id).values(**fields))

    @_guarded
    def transition_run(
        self,
        run_id: str,
        from_statuses: Iterable[str],
        to_status: str,
        fields: Mapping[str, Any] | None = None,
        events: Sequence[Mapping[str, Any]] = (),
    ) -> bool:
        """Compare-and-set the status; False (nothing written) if the run was not in ``from_statuses``.

        Racing writers (a cancel against a finishing run) thus resolve to exactly one winner.
        """
        values = dict(fields or {})
        unknown = set(values) - _RUN_FIELDS
        if unknown:
            raise ValueError(f"unknown Run fields: {sorted(unknown)}")
        values["status"] = to_status
        stmt = (
            update(RUNS)
            .where(RUNS.c.run_id == run_id, RUNS.c.status.in_(list(from_statuses)))
            .values(**values)
        )
        with self._write() as conn:
            if conn.execute(stmt).rowcount != 1:
                return False
            self._insert_events(conn, events)
            return True

    @_guarded
    def claim_queued_runs(
        self,
        max_active: int,
        active_statuses: Iterable[str],
        to_status: str = "STARTING",
        event_factory: Callable[[Run], Mapping[str, Any]] | None = None,
    ) -> list[Run]:
        """Move the oldest QUEUED runs into the free slots under ``max_active``, atomically.

        Returns the claimed runs with their new status; ``event_factory`` events go in the same transaction.
        """
        with self._write() as conn:
            lock_run_queue(conn)
            active = conn.execute(
                select(func.count()).select_from(RUNS).where(RUNS.c.status.in_(list(active_statuses)))
            ).scalar_one()
            free = max_active - int(active)
            if free <= 0:
                return []
            pick = (
                select(RUNS)
                .where(RUNS.c.status == "QUEUED")
                .order_by(RUNS.c.created_at, RUNS.c.run_id)
                .limit(free)
            )
            runs = [_run_model(row) for row in conn.execute(skip_locked(conn, pick))]
            if not runs:
                return []
            conn.execute(
                update(RUNS)
                .where(RUNS.c.run_id.in_([run.run_id for run in runs]), RUNS.c.status == "QUEUED")
                .values(status=to_status)
            )
            for run in runs:
                run.status = to_status
            if event_factory is not None:
                self._insert_events(conn, [event_factory(run) for run in runs])
            return runs

    # -- events -------------------------------------------------------------------------------------

    @_guarded
    def append_events(self, events: Sequence[Mapping[str, Any]]) -> list[int]:
        """Append events in one transaction (with their AssetState updates); returns ids in order."""
        if not events:
            return []
        with self._write() as conn:
            return self._insert_events(conn, events)

    @_guarded
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

    @_guarded
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

    @_guarded
    def last_event_id(self) -> int:
        """The newest event id (0 when empty): where a new tailer starts."""
        with self._read() as conn:
            return int(conn.execute(select(func.max(EVENTS.c.id))).scalar() or 0)

    @_guarded
    def count_events(self, run_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(EVENTS)
        if run_id is not None:
            stmt = stmt.where(EVENTS.c.run_id == run_id)
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    # -- assets -------------------------------------------------------------------------------------

    @_guarded
    def asset_states(self, keys: Iterable[str] | None = None) -> dict[str, AssetStateRow]:
        stmt = select(ASSETS)
        if keys is not None:
            stmt = stmt.where(ASSETS.c.asset_key.in_(list(keys)))
        with self._read() as conn:
            return {row.asset_key: _asset_model(row) for row in conn.execute(stmt)}

    @_guarded
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

    @_guarded
    def rebuild_asset_states(self) -> None:
        """Recompute ``asset_state`` from the event log, which is the source of truth."""
        stmt = (
            select(*_EVENT_COLUMNS)
            .where(EVENTS.c.asset_key.is_not(None), EVENTS.c.event_type.in_(_ASSET_STATE_EVENTS))
            .order_by(EVENTS.c.id)
        )
        with self._write() as conn:
            lock_event_log(conn)  # no event may land between the replay and the rewrite
            updates = _fold_asset_fields(((row.id, row._mapping) for row in conn.execute(stmt)), {})
            conn.execute(delete(ASSETS))
            if updates:
                blank = dict.fromkeys(ASSETS.c.keys()) | {"metadata": {}}
                conn.execute(
                    insert(ASSETS), [blank | {"asset_key": key, **fields} for key, fields in updates.items()]
                )

    # -- instigators, ticks, run keys -----------------------------------------------------------------

    @_guarded
    def get_instigator(self, name: str) -> InstigatorState | None:
        with self._read() as conn:
            row = conn.execute(select(INSTIGATORS).where(INSTIGATORS.c.name == name)).first()
        return None if row is None else InstigatorState(**row._mapping)

    @_guarded
    def all_instigators(self) -> list[InstigatorState]:
        with self._read() as conn:
            rows = conn.execute(select(INSTIGATORS).order_by(INSTIGATORS.c.name)).all()
        return [InstigatorState(**row._mapping) for row in rows]

    @_guarded
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

    @staticmethod
    def _insert_tick(conn: Connection, tick: Tick) -> int:
        values = tick.model_dump(exclude={"id"})
        tick_id = int(conn.execute(insert(TICKS).returning(TICKS.c.id), values).scalar_one())
        tick.id = tick_id
        return tick_id

    @_guarded
    def add_tick(self, tick: Tick) -> int:
        """Insert a tick; returns its id (also set on ``tick``)."""
        with self._write() as conn:
            return self._insert_tick(conn, tick)

    @_guarded
    def update_tick(self, tick_id: int, **fields: Any) -> None:
        unknown = set(fields) - _TICK_FIELDS
        if unknown:
            raise ValueError(f"unknown Tick fields: {sorted(unknown)}")
        if not fields:
            return
        with self._write() as conn:
            conn.execute(update(TICKS).where(TICKS.c.id == tick_id).values(**fields))

    @_guarded
    def list_ticks(self, instigator_name: str, limit: int = 50) -> list[Tick]:
        stmt = (
            select(TICKS)
            .where(TICKS.c.instigator_name == instigator_name)
            .order_by(TICKS.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [Tick(**row._mapping) for row in conn.execute(stmt)]

    @staticmethod
    def _claim_key(
        conn: Connection, instigator_name: str, run_key: str, run_id: str | None, now: float
    ) -> bool:
        stmt = (
            insert_for(conn.dialect.name, RUN_KEYS)
            .values(instigator_name=instigator_name, run_key=run_key, run_id=run_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[RUN_KEYS.c.instigator_name, RUN_KEYS.c.run_key])
        )
        return conn.execute(stmt).rowcount == 1

    @_guarded
    def claim_run_key(self, instigator_name: str, run_key: str, run_id: str | None, now: float) -> bool:
        """True if this run key is new for the instigator (and is now recorded), False if already used."""
        with self._write() as conn:
            return self._claim_key(conn, instigator_name, run_key, run_id, now)

    @_guarded
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
                if self._claim_key(conn, instigator_name, run_key, run_id, tick.timestamp):
                    new_keys.append(run_key)
                else:
                    duplicate_run_ids.add(run_id)
            if duplicate_run_ids:
                tick.run_ids = [rid for rid in tick.run_ids if rid not in duplicate_run_ids]
            self._insert_tick(conn, tick)
            conn.execute(
                insert_for(conn.dialect.name, INSTIGATORS)
                .values(name=instigator_name, kind=tick.kind, status="STOPPED", updated_at=now)
                .on_conflict_do_nothing(index_elements=[INSTIGATORS.c.name])
            )
            conn.execute(
                update(INSTIGATORS)
                .where(INSTIGATORS.c.name == instigator_name)
                .values(cursor=cursor, updated_at=now)
            )
        return new_keys

    # -- daemon lease ---------------------------------------------------------------------------------

    @_guarded
    def acquire_lease(self, name: str, owner: str, now: float, ttl: float) -> bool:
        """Take or refresh the lease if it is free, ours, or its heartbeat is older than ``ttl``."""
        with self._write() as conn:
            created = conn.execute(
                insert_for(conn.dialect.name, LEASES)
                .values(name=name, owner=owner, acquired_at=now, heartbeat_at=now)
                .on_conflict_do_nothing(index_elements=[LEASES.c.name])
            ).rowcount
            if created:
                return True
            taken = conn.execute(
                update(LEASES)
                .where(
                    LEASES.c.name == name,
                    or_(LEASES.c.owner == owner, LEASES.c.heartbeat_at < now - ttl),
                )
                .values(
                    owner=owner,
                    heartbeat_at=now,
                    acquired_at=case((LEASES.c.owner == owner, LEASES.c.acquired_at), else_=now),
                )
            ).rowcount
            return taken == 1

    @_guarded
    def release_lease(self, name: str, owner: str) -> None:
        """Drop the lease if we hold it, so a successor need not wait for the ttl."""
        with self._write() as conn:
            conn.execute(delete(LEASES).where(and_(LEASES.c.name == name, LEASES.c.owner == owner)))

    @_guarded
    def get_lease(self, name: str) -> DaemonLease | None:
        with self._read() as conn:
            row = conn.execute(select(LEASES).where(LEASES.c.name == name)).first()
        return None if row is None else DaemonLease(**row._mapping)
