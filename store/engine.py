"""Engine construction and every dialect-specific detail, so the store's other modules stay portable SQL.

SQLite is tuned for one writer and many readers across processes: WAL, ``synchronous=NORMAL`` and a
30 s busy timeout. Write transactions start with ``BEGIN IMMEDIATE`` because a deferred transaction
that reads then writes fails with "database is locked" at its first write, without waiting on the
busy timeout, whenever another process committed in between.

PostgreSQL (psycopg 3) has no such database-wide write lock, so the few places that need one take a
transaction-scoped advisory lock instead: the run queue, the event log (so ids commit in id order and
a tailer's cursor never skips a late commit) and schema migration.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Select, Table, create_engine, event, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, NoSuchModuleError, OperationalError

from dagdeck.store.errors import StoreError

# Connection execution option that marks a write transaction (see ``_on_begin``).
WRITE_OPTION = "dagdeck_write"

# pg_advisory_xact_lock keys ("dagdeck" in spirit); one per thing that must be serialized across machines.
_RUN_QUEUE_LOCK = 7265706
_EVENT_LOG_LOCK = 7265707
_SCHEMA_LOCK = 7265708

# Drivers SQLAlchemy would pick for a bare postgresql:// URL (psycopg2) are not what we ship.
_POSTGRES_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def normalize_url(url: str) -> str:
    """Let users write ``postgresql://`` or ``postgres://``: both mean psycopg 3, the driver we install."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in _POSTGRES_SCHEMES:
        return f"{_POSTGRES_SCHEMES[scheme]}://{rest}"
    return url


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for other dialects and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _prepare_sqlite_file(path: Path) -> None:
    """Create the directory (0700) and an empty 0600 database file before SQLite opens it, so run data
    is never readable by others whatever the umask: SQLite gives -wal/-shm the database file's mode.
    Called on every connect, because a database deleted under a running process is recreated by its
    next connection. Files of ours left open to others (an older dagdeck, a copy) are narrowed."""
    try:
        os.makedirs(path.parent, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            _narrow(fd)
        finally:
            os.close(fd)
        for suffix in _SQLITE_SIDE_FILES:
            with contextlib.suppress(FileNotFoundError):
                _narrow(f"{path}{suffix}")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoreError(
            f"cannot open database {path}: {reason.lower()}; "
            "point --home/DAGDECK_HOME at a writable directory"
        ) from exc


def _narrow(file: int | str) -> None:
    """Make a file (path or descriptor) of ours 0600 when group or others have any access to it."""
    st = os.stat(file)
    if st.st_mode & 0o077 and st.st_uid == os.geteuid():
        os.chmod(file, 0o600)


def make_engine(url: str, busy_timeout: float = 30.0) -> Engine:
    """Build the engine for ``url``; SQLite files are created (0600) and tuned on every connection."""
    url = normalize_url(url)
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path)
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        return _postgres_engine(url)
    if backend != "sqlite":
        raise StoreError(f"unsupported database URL {url.split('://')[0]}://...; use sqlite:/// or postgresql://")

    engine = create_engine(url, pool_size=5, max_overflow=10)
    timeout_ms = int(busy_timeout * 1000)

    if path is not None:

        @event.listens_for(engine, "do_connect")
        def _before_connect(*_args: Any) -> None:
            # returning None lets SQLAlchemy connect as usual, now to a file that is already 0600
            _prepare_sqlite_file(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so "begin" below decides how to BEGIN.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Reads run in autocommit (no BEGIN): WAL gives each statement a consistent snapshot and no
        # long-lived read transaction blocks checkpoints.
        if conn.get_execution_options().get(WRITE_OPTION):
            # Straight to the driver: this runs once per write and exec_driver_sql costs ~60 us.
            try:
                conn.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
            except sqlite3.Error as exc:
                raise error_for(str(path or url), busy_timeout, str(exc)) from exc

    return engine


def _postgres_engine(url: str) -> Engine:
    """A pooled psycopg 3 engine; a missing driver becomes a StoreError that says which extra to install."""
    try:
        return create_engine(
            url,
            pool_size=5,
            max_overflow=5,
            # No pre-ping round trip on every checkout: a pooled connection that died with a server
            # restart fails its first statement, SQLAlchemy drops the pool, and Store retries.
            pool_pre_ping=False,
            connect_args={
                "connect_timeout": 5,
                "application_name": "dagdeck",
                # Notice a peer that vanished (host down, network cut) in about a minute, not hours.
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
    except ImportError as exc:
        raise StoreError(
            "PostgreSQL support needs psycopg 3: pip install 'dagdeck[postgres]' "
            "and use a postgresql+psycopg:// URL"
        ) from exc
    except NoSuchModuleError as exc:
        raise StoreError(f"unknown database driver in {url.split('://')[0]}://...; use postgresql+psycopg://") from exc


def is_disconnect(dialect: str, exc: DBAPIError) -> bool:
    """A PostgreSQL error that a new connection may cure: server down, restarting, network lost.

    SQLite's operational errors (locked, read-only, missing file) either already waited for the busy
    timeout or will not heal by retrying, so they are never retried here.
    """
    if dialect != "postgresql":
        return False
    if _is_refusal(str(exc.orig or exc)):
        return False
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)


_REFUSALS = ("password authentication failed", "no password supplied", "no pg_hba.conf entry")


def _is_refusal(detail: str) -> bool:
    """The server answered and said no (bad login, no such database): retrying cannot help."""
    lowered = detail.lower()
    return any(r in lowered for r in _REFUSALS) or ("fatal:" in lowered and "does not exist" in lowered)


def error_for(where: str, busy_timeout: float, detail: str, integrity: bool = False) -> StoreError:
    """A one-line StoreError for a driver error: which database, what happened, what to do."""
    detail = detail.splitlines()[0] if detail else "unknown error"
    lowered = detail.lower()
    if integrity:
        return StoreError(f"database {where}: conflicting write ({detail})")
    if "locked" in lowered or "busy" in lowered:
        return StoreError(
            f"database {where} is locked by another process for more than {busy_timeout:g} s; "
            "close the other writer or raise busy_timeout"
        )
    if "unable to open" in lowered:
        return StoreError(
            f"cannot open database {where}: directory does not exist or permission denied; "
            "point --home/DAGDECK_HOME at a writable directory"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(
            f"cannot write database {where}: the file or its directory is read-only; "
            "fix permissions or point --home/DAGDECK_HOME elsewhere"
        )
    if "no such table" in lowered or "no such column" in lowered:
        return StoreError(f"database {where} has an unexpected schema ({detail}); is it a dagdeck database?")
    if any(r in lowered for r in _REFUSALS) or ("role" in lowered and "does not exist" in lowered):
        return StoreError(f"database {where} refused the login ({detail}); fix the user/password in the store URL")
    if 'database "' in lowered and "does not exist" in lowered:
        return StoreError(f"database {where} does not exist; create it (createdb NAME) or fix the store URL")
    if "relation" in lowered and "does not exist" in lowered:
        return StoreError(f"database {where} has an unexpected schema ({detail}); is it a dagdeck database?")
    return StoreError(f"database {where}: {detail}")


def unreachable(where: str, detail: str, attempts: int, seconds: float) -> StoreError:
    """The StoreError for a PostgreSQL server that stayed unreachable through every retry."""
    detail = detail.strip().splitlines()[0] if detail.strip() else "connection lost"
    return StoreError(
        f"cannot reach database {where} after {attempts} attempts over {seconds:.0f} s ({detail}); "
        "check that the server is up and DAGDECK_STORE_URL / store_url points at it"
    )


def insert_for(dialect: str, table: Table) -> Any:
    """A dialect INSERT that supports ``on_conflict_do_nothing/update`` (SQLite and PostgreSQL).

    ``preserve_rowcount``: callers read ``rowcount`` to learn whether ON CONFLICT skipped the row, and
    SQLAlchemy only guarantees it for INSERT when asked (psycopg reports -1 otherwise).
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql  # ~40 ms to import: only PostgreSQL users pay it

        return postgresql.insert(table).execution_options(preserve_rowcount=True)
    if dialect == "sqlite":
        return sqlite.insert(table).execution_options(preserve_rowcount=True)
    raise StoreError(f"unsupported database dialect {dialect!r}; use SQLite or PostgreSQL")


def _advisory_lock(conn: Connection, key: int) -> None:
    """Hold a PostgreSQL advisory lock until the transaction ends; SQLite's BEGIN IMMEDIATE already does."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def lock_run_queue(conn: Connection) -> None:
    """Serialize queue claims so the active-run count a claimer reads stays true until it commits."""
    _advisory_lock(conn, _RUN_QUEUE_LOCK)


def lock_event_log(conn: Connection) -> None:
    """Serialize event inserts so ids become visible in id order.

    A sequence hands out ids at insert time, not at commit: without this, a tailer could read id 11,
    move its cursor past it, and never see id 10 committed a moment later by a slower transaction.
    """
    _advisory_lock(conn, _EVENT_LOG_LOCK)


def lock_schema(conn: Connection) -> None:
    """Serialize migrations: several processes may open a fresh database at once."""
    _advisory_lock(conn, _SCHEMA_LOCK)


def skip_locked(conn: Connection, stmt: Select[Any]) -> Select[Any]:
    """Let concurrent claimers pass over each other's rows on PostgreSQL; SQLite has no row locks."""
    if conn.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def bulk_write(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    return_ids: bool = False,
    upsert_columns: Sequence[str] | None = None,
) -> list[int]:
    """Batched INSERT (or upsert on the primary key, setting ``upsert_columns``) on the hot path.

    Returns the new autoincrement ids in order when ``return_ids``. On SQLite this goes straight to the
    driver cursor with cached SQL: SQLAlchemy's per-execution overhead was 3x the cost of SQLite itself
    for small event batches. RETURNING is avoided there because SQLAlchemy runs one statement per row
    to guarantee its order; inside our BEGIN IMMEDIATE transaction nobody else can insert and the table
    uses AUTOINCREMENT, so the new ids are exactly the ``len(rows)`` integers ending at
    ``last_insert_rowid()``.
    """
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        upsert = tuple(upsert_columns) if upsert_columns else None
        columns, json_columns = _sqlite_columns(table)
        dumps = json.dumps
        flat = [dumps(row.get(c)) if c in json_columns else row.get(c) for row in rows for c in columns]
        width = len(columns)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            start = 0
            for size in _statement_sizes(len(rows), width):
                cursor.execute(_sqlite_sql(table, upsert, size), flat[start * width : (start + size) * width])
                start += size
            if not return_ids:
                return []
            last = int(cursor.execute("SELECT last_insert_rowid()").fetchone()[0])
        finally:
            cursor.close()
        return list(range(last - len(rows) + 1, last + 1))

    if upsert_columns:
        stmt = insert_for(conn.dialect.name, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(table.primary_key.columns), set_={c: stmt.excluded[c] for c in upsert_columns}
        )
        conn.execute(stmt, list(rows))
        return []
    if not return_ids:
        conn.execute(table.insert(), list(rows))
        return []
    pk = table.primary_key.columns.values()[0]
    returning = table.insert().returning(pk, sort_by_parameter_order=True)
    return [int(v) for v in conn.execute(returning, list(rows)).scalars()]


_SQLITE_MAX_PARAMS = 999  # the lowest SQLITE_MAX_VARIABLE_NUMBER still shipped


def _statement_sizes(n: int, width: int) -> Iterator[int]:
    """Rows per multi-row INSERT: one statement per many rows, because the driver releases the GIL
    once per statement executed and, with step threads busy, getting it back cost more than the insert.
    Sizes come from a small fixed set so the driver's statement cache keeps every shape compiled."""
    sizes = [s for s in (64, 16, 4, 1) if s * width <= _SQLITE_MAX_PARAMS] or [1]
    for size in sizes:
        while n >= size:
            yield size
            n -= size


@functools.cache
def _sqlite_columns(table: Table) -> tuple[list[str], frozenset[str]]:
    """The column order of INSERT parameters, and which columns hold JSON."""
    columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    return columns, frozenset(c.name for c in table.columns if isinstance(c.type, JSON))


@functools.cache
def _sqlite_sql(table: Table, upsert_columns: tuple[str, ...] | None, rows: int) -> str:
    """INSERT SQL for the driver with ``rows`` value tuples (ids are assigned in tuple order)."""
    columns, _ = _sqlite_columns(table)
    quoted = ", ".join(f'"{c}"' for c in columns)
    one = f"({', '.join('?' * len(columns))})"
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES {", ".join([one] * rows)}'
    if upsert_columns is not None:
        keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in upsert_columns)
        sql += f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    return sql
