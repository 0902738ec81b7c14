"""Shared plumbing under every ``Store`` method: open and migrate, retry lost connections, transactions.

Each concern module (``runs``, ``events``, ``asset_state``, ``automation``, ``lease``) is a mixin on
``StoreConnection`` whose public methods are wrapped in ``guarded`` and do their SQL inside one
``_read()`` or ``_write()`` block, so retrying and error translation live here once.

Every write is exactly one transaction, so a crash never leaves an event without its derived state
(``AssetState``) or a run transition without its events. On PostgreSQL a lost connection (server
restart, network cut) is retried with backoff for ``retry_seconds`` before the call fails with a
``StoreError``; ``connection_problem`` says what is going on meanwhile so a console can show it. A
transaction whose COMMIT itself failed is not retried: whether it landed is unknown, and replaying it
could record events twice.
"""

from __future__ import annotations

import functools
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
from dagdeck.store.errors import StoreError
from dagdeck.store.schema import ensure_schema

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="StoreConnection")

# Marks a driver error raised by COMMIT: the transaction may have landed, so it must not be replayed.
_IN_COMMIT = "_dagdeck_in_commit"


def guarded(fn: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Retry lost connections, then turn driver errors into a one-line ``StoreError``."""

    @functools.wraps(fn)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._retrying(functools.partial(fn, self, *args, **kwargs))

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
        self._engine = make_engine(url, busy_timeout=busy_timeout)
        self._dialect = self._engine.dialect.name
        try:
            self._retrying(lambda: ensure_schema(self._engine, self._where))
        except BaseException:
            self._engine.dispose()
            raise
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
