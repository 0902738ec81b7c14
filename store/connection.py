"""Shared plumbing under every ``Store`` method: open and migrate, retry lost connections, transactions.

Each concern module (``runs``, ``events``, ``asset_state``, ``automation``, ``lease``) is a mixin on
``StoreConnection`` whose public methods are wrapped in ``guarded`` and do their SQL inside one
``_read()`` or ``_write()`` block, so retrying and error translation live here once.

Every write is exactly one transaction, so a crash never leaves an event without its derived state
(``AssetState``) or a run transition without its events.

The one retry policy of dagdeck lives here (``_retrying``; callers such as the event writer never
retry on their own), logged through ``logging`` (logger ``dagdeck.store``):

- a lost connection (PostgreSQL server restart, network cut) is retried with backoff for
  ``retry_seconds`` before the call fails with a ``StoreError``; ``connection_problem`` says what is
  going on meanwhile so a console can show it;
- a transaction whose COMMIT itself failed with the connection may or may not have landed. It is
  never replayed blindly (that could record events twice): a caller that can tell whether it landed
  (event appends know their ids before COMMIT, and look for them under the event-log lock before
  writing again) is ``replayable``; any other write fails with a ``StoreError`` that says so;
- a full disk fails at once with ``DiskFullError``, except that a SQLite store first gives up the
  reserve file beside the database (``dagdeck.db-reserve``, recreated on open once space is back)
  so that run transitions and cancels can still be recorded. Event appends and routine run
  updates (heartbeats, pids: ``guarded_without_reserve``) pass ``use_reserve=False``: a run that cannot record its events ends, and the reserve is what lets it
  record why;
- anything else (locked past the busy timeout, bad schema, refused login) fails at once: SQLite's
  busy timeout already waited, and the rest will not heal by retrying.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from dagdeck.store.engine import (
    WRITE_OPTION,
    error_for,
    is_disconnect,
    make_engine,
    normalize_url,
    sqlite_path,
    unreachable,
)
from dagdeck.store.errors import DiskFullError, StoreError, is_disk_full
from dagdeck.store.schema import ensure_schema

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="StoreConnection")

# Marks a driver error raised by COMMIT: the transaction may have landed, so it must not be replayed.
_IN_COMMIT = "_dagdeck_in_commit"

# Space kept free beside a SQLite database so that a full disk can still record how runs ended.
DISK_RESERVE_BYTES = 256 * 1024

_log = logging.getLogger("dagdeck.store")


def log_safely(level: int, message: str, *args: object) -> None:
    """Log without ever raising: a handler writing to a full disk must not break a store call."""
    with contextlib.suppress(Exception):  # a log line is never worth failing the write it describes
        _log.log(level, message, *args)


def _detail(exc: BaseException) -> str:
    """The driver's first message line (not SQLAlchemy's wrapper text)."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else ""


def guarded(fn: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Retry lost connections, then turn driver errors into a one-line ``StoreError``."""

    @functools.wraps(fn)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._retrying(functools.partial(fn, self, *args, **kwargs))

    return wrapper


def guarded_without_reserve(fn: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """As ``guarded``, but a full disk fails at once without giving up the reserve: routine writes
    (heartbeats, pids) must not spend the room kept for recording how a run ended."""

    @functools.wraps(fn)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._retrying(functools.partial(fn, self, *args, **kwargs), use_reserve=False)

    return wrapper


_OPEN_STORES: weakref.WeakSet[StoreConnection] = weakref.WeakSet()


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


class StoreConnection:
    """One database (SQLite file or PostgreSQL), its pooled engine, and the read/write/retry helpers."""

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
        self._reserve = self._path.with_name(self._path.name + "-reserve") if self._path is not None else None
        self._engine = make_engine(url, busy_timeout=busy_timeout)
        self._dialect = self._engine.dialect.name
        try:
            self._retrying(lambda: ensure_schema(self._engine, self._where))
        except BaseException:
            self._engine.dispose()
            raise
        self._ensure_reserve()
        _OPEN_STORES.add(self)

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

    def __repr__(self) -> str:
        return f"Store({self._where!r})"

    @property
    def _where(self) -> str:
        if self._path is not None:
            return str(self._path)
        return make_url(self._url).render_as_string(hide_password=True)

    def _translate(self, exc: DBAPIError) -> StoreError:
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        return error_for(self._where, self._busy_timeout, detail, integrity=isinstance(exc, IntegrityError))

    def _retrying(self, call: Callable[[], R], *, replayable: bool = False, use_reserve: bool = True) -> R:
        """Run ``call`` under the store's retry policy (see the module docstring).

        ``replayable``: ``call`` may run again after its COMMIT lost the connection, because it checks
        first whether that COMMIT landed. ``use_reserve=False`` keeps the disk reserve for writes
        that end runs.
        """
        started = time.monotonic()
        delay = 0.05
        attempts = 0
        released = False
        while True:
            attempts += 1
            try:
                result = call()
            except (DBAPIError, StoreError, sqlite3.Error) as exc:
                # raw sqlite3 errors come from connect-time PRAGMAs, which SQLAlchemy does not wrap
                # (a new connection after a failed COMMIT on a full disk raises one)
                detail = _detail(exc)
                if is_disk_full(detail):
                    if use_reserve and not released and self._release_reserve():
                        released = True
                        continue
                    if isinstance(exc, DiskFullError):
                        raise
                    raise self._disk_full(detail) from exc
                if isinstance(exc, StoreError):
                    raise
                if not isinstance(exc, DBAPIError):
                    raise error_for(self._where, self._busy_timeout, detail) from exc
                if not self._is_disconnect(exc):
                    raise self._translate(exc) from exc
                first_line = detail or "connection lost"
                if getattr(exc, _IN_COMMIT, False) and not replayable:
                    self._connection_problem = first_line
                    raise StoreError(
                        f"database {self._where}: connection lost during COMMIT; the last write may or may "
                        "not have been recorded"
                    ) from exc
                elapsed = time.monotonic() - started
                self._connection_problem = f"reconnecting to {self._where}: {first_line}"
                remaining = self._retry_seconds - elapsed
                if remaining <= 0:
                    error = unreachable(self._where, str(exc.orig or exc), attempts, elapsed)
                    self._connection_problem = str(error)
                    raise error from exc
                log_safely(logging.INFO, "%s (attempt %d, retrying for %.0f s more)",
                           self._connection_problem, attempts, remaining)
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 2.0)
                continue
            if self._connection_problem is not None:
                self._connection_problem = None
            return result

    def _is_disconnect(self, exc: DBAPIError) -> bool:
        """A lost connection that a new one may cure: PostgreSQL's, or one SQLAlchemy invalidated."""
        return is_disconnect(self._dialect, exc) or (self._dialect == "sqlite" and exc.connection_invalidated)

    def _disk_full(self, detail: str) -> DiskFullError:
        where = f"the disk of {self._path.parent}" if self._path is not None else "the database server's disk"
        return DiskFullError(f"disk full: cannot write database {self._where} ({detail}); free space on {where}")

    def _ensure_reserve(self) -> None:
        """Set aside ``DISK_RESERVE_BYTES`` beside a SQLite file (0600), if it is missing and fits."""
        path = self._reserve
        if path is None or path.exists():
            return
        try:
            disk = os.statvfs(path.parent)
        except OSError:
            return
        if disk.f_bavail * disk.f_frsize < 4 * DISK_RESERVE_BYTES:  # never be what brings a disk near full
            return
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except OSError:  # another process is creating it, or the directory is read-only: no reserve
            return
        try:
            allocate = getattr(os, "posix_fallocate", None)
            if allocate is not None:
                allocate(fd, 0, DISK_RESERVE_BYTES)
            else:  # random bytes: a compressing filesystem would not keep zeros
                os.write(fd, os.urandom(DISK_RESERVE_BYTES))
        except OSError:  # no room (or no fallocate here): better no reserve than a partial one
            os.close(fd)
            path.unlink(missing_ok=True)
            return
        os.close(fd)

    def _release_reserve(self) -> bool:
        """Free the reserve so the write that hit a full disk can go through; False if there is none."""
        if self._reserve is None:
            return False
        try:
            self._reserve.unlink()
        except OSError:
            return False
        log_safely(logging.WARNING, "disk full at %s: released the %d KiB reserve to record the end of runs; "
                    "free space on that disk", self._path, DISK_RESERVE_BYTES // 1024)
        return True

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
                    # SQLAlchemy counts the transaction as over, so the pool would skip its rollback and
                    # hand out a connection still inside it: drop the connection (closing rolls back).
                    conn.invalidate()
                    raise
