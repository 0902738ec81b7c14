"""Engine construction and every dialect-specific detail, so ``store.py`` stays portable SQL.

SQLite is tuned for one writer and many readers across processes: WAL, ``synchronous=NORMAL`` and a
30 s busy timeout. Write transactions start with ``BEGIN IMMEDIATE`` because a deferred transaction
that reads then writes fails with "database is locked" at its first write, without waiting on the
busy timeout, whenever another process committed in between.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Select, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from store.errors import StoreError

# Connection execution option that marks a write transaction (see ``_on_begin``).
WRITE_OPTION = "dagdeck_write"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for other dialects and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def _prepare_sqlite_file(path: Path) -> None:
    """Create the parent directory and an empty 0600 file so run data is never world-readable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoreError(
            f"cannot open database {path}: {reason.lower()}; "
            "point --home/DAGDECK_HOME at a writable directory"
        ) from exc


def make_engine(url: str, busy_timeout: float = 30.0) -> Engine:
    """Build the engine for ``url``; SQLite files are created (0600) and tuned on every connection."""
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)

    engine = create_engine(url, pool_size=5, max_overflow=10)
    timeout_ms = int(busy_timeout * 1000)

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
    return StoreError(f"database {where}: {detail}")


def insert_for(dialect: str, table: Table) -> Any:
    """A dialect INSERT that supports ``on_conflict_do_nothing/update`` (SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"unsupported database dialect {dialect!r}; use SQLite or PostgreSQL")


def lock_run_queue(conn: Connection) -> None:
    """Serialize queue claims: SQLite's BEGIN IMMEDIATE already does; PostgreSQL needs a tx lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7265706)"))


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
    """Executemany INSERT (or upsert on the primary key, setting ``upsert_columns``) on the hot path.

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
        sql, columns, json_columns = _sqlite_sql(table, tuple(upsert_columns) if upsert_columns else None)
        dumps = json.dumps
        params = [
            tuple([dumps(row.get(c)) if c in json_columns else row.get(c) for c in columns]) for row in rows
        ]
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(sql, params)
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


@functools.cache
def _sqlite_sql(
    table: Table, upsert_columns: tuple[str, ...] | None
) -> tuple[str, list[str], frozenset[str]]:
    """INSERT SQL for the driver, the column order of its parameters, and which columns hold JSON."""
    columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    json_columns = frozenset(c.name for c in table.columns if isinstance(c.type, JSON))
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
    if upsert_columns is not None:
        keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in upsert_columns)
        sql += f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    return sql, columns, json_columns
