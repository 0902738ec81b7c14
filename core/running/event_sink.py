"""Batch events from many step threads into few store transactions.

A writer thread takes everything emitted since its last write and commits it in one transaction:
under load that is one transaction for many steps, when idle it is one per event with no delay.

The writer never retries on its own: the store has the one retry policy (lost connections, COMMITs
of unknown outcome). A write that still fails stops the writer for good: it keeps every unwritten
event in memory (``take_held``) and calls the failure handler, which for a run ends it FAILURE with
the reason (``execute_run``). Stopping, rather than holding events until space returns, is the
choice because a run that cannot record its progress cannot be watched, canceled or resumed, and
would keep its slot and its CLI waiting for as long as the disk stays full; a failed run says why
and re-executes from failure once space is back. Every wait here has a timeout, and the writer
reports through ``logging`` guarded so that a full log file cannot kill it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from dagdeck.store import Store, StoreError
from dagdeck.store.errors import DiskFullError

_BATCH = 500
_log = logging.getLogger("dagdeck.events")


def log_safely(level: int, message: str, *args: object, logger: logging.Logger = _log) -> None:
    """Log without ever raising: the writer (and a worker) must outlive a log file on a full disk."""
    with contextlib.suppress(Exception):
        logger.log(level, message, *args)


class EventWriteError(Exception):
    """The writer stopped: events emitted since could not be recorded."""

    def __init__(self, reason: str, *, disk_full: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.disk_full = disk_full


FailureHandler = Callable[[EventWriteError], None]


class EventSink:
    """Collects events from any thread and writes them in batches from one writer thread.

    ``write_timeout`` bounds how long ``flush`` waits for a writer that neither writes nor fails;
    it is longer than any single store call (busy timeout, reconnect budget) on purpose.
    """

    def __init__(self, store: Store, *, write_timeout: float = 120.0) -> None:
        self.store = store
        self._write_timeout = write_timeout
        self._cond = threading.Condition()
        self._pending: list[dict[str, Any]] = []
        self._emitted = 0
        self._written = 0
        self._held: list[dict[str, Any]] = []
        self._failure: EventWriteError | None = None
        self._handler: FailureHandler | None = None
        self._handling = False
        self._handler_done = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="dagdeck-event-sink", daemon=True)
        self._thread.start()

    @property
    def failure(self) -> EventWriteError | None:
        """Why the writer stopped, or None while it works."""
        return self._failure

    def emit(self, event: dict[str, Any]) -> None:
        with self._cond:
            if self._failure is not None:
                self._held.append(event)
                return
            self._emitted += 1
            self._pending.append(event)
            self._cond.notify_all()

    def set_failure_handler(self, handler: FailureHandler) -> None:
        """Call ``handler`` (once, from the writer thread, or now if the writer already stopped) when
        a write fails; a failure with a handler no longer raises from ``flush`` and ``close``."""
        with self._cond:
            self._handler = handler
            failure = self._failure
        if failure is not None:
            self._handle(failure)

    def take_held(self) -> list[dict[str, Any]]:
        """The events the stopped writer could not record, oldest first; the caller now owns them."""
        with self._cond:
            held, self._held = self._held, []
        return held

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every event emitted so far is written or the writer has stopped.

        Raises ``EventWriteError`` if the writer stopped with no handler to deal with it, and
        ``TimeoutError`` after ``timeout`` (default ``write_timeout``) without an answer from it.
        """
        limit = self._write_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        writer_gone = False
        with self._cond:
            target = self._emitted
            while self._written < target and self._failure is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"events not written in {limit:g} s (database {self.store.where})")
                if not self._thread.is_alive():  # cannot happen: the writer catches everything
                    writer_gone = True
                    break
                self._cond.wait(min(remaining, 1.0))
        if writer_gone:
            self._stop(EventWriteError("events could not be recorded: the event writer thread ended"))
        with self._cond:
            failure, handling = self._failure, self._handling
        if failure is None:
            return
        if not handling:
            raise failure
        # the handler may still be recording the run's end: callers decide only once it is done
        if not self._handler_done.wait(max(deadline - time.monotonic(), 0.0)):
            raise TimeoutError(f"the run's end was not recorded in {limit:g} s (database {self.store.where})")

    def close(self, timeout: float | None = None) -> None:
        """Flush, then stop the writer thread (raises like ``flush``)."""
        try:
            self.flush(timeout)
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait(1.0)
                if not self._pending:
                    return
                batch = self._pending[:_BATCH]
                del self._pending[:_BATCH]
            try:
                self.store.append_events(batch)
            except BaseException as err:  # noqa: BLE001 - any failure stops the writer, never kills it silently
                self._stop(_as_write_error(err), batch)
                return
            with self._cond:
                self._written += len(batch)
                self._cond.notify_all()

    def _stop(self, failure: EventWriteError, batch: list[dict[str, Any]] | None = None) -> None:
        """Stop writing: keep the failed batch and everything after it, wake waiters, tell the handler."""
        with self._cond:
            if self._failure is not None:
                return
            self._failure = failure
            self._held = [*(batch or []), *self._pending, *self._held]
            self._pending = []
            self._cond.notify_all()
            handler, held = self._handler, len(self._held)
        log_safely(
            logging.ERROR, "dagdeck: stopped recording events (%d held in memory): %s", held, failure.reason
        )
        if handler is not None:
            self._handle(failure)

    def _handle(self, failure: EventWriteError) -> None:
        with self._cond:
            if self._handling or self._handler is None:
                return
            self._handling = True
            handler = self._handler
        try:
            handler(failure)
        except Exception as err:  # noqa: BLE001 - the handler reports its own trouble; the writer must not die
            log_safely(
                logging.ERROR, "dagdeck: could not end the run after the event writer stopped: %s", err
            )
        finally:
            self._handler_done.set()


def _as_write_error(err: BaseException) -> EventWriteError:
    """Store errors are one line that names the database already; anything else is named by type."""
    detail = str(err) if isinstance(err, StoreError) else f"{type(err).__name__}: {err}"
    return EventWriteError(
        f"events could not be recorded: {detail}", disk_full=isinstance(err, DiskFullError)
    )
