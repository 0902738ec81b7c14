"""Batch events from many step threads into few store transactions.

A writer thread takes everything queued since its last write and commits it in one transaction:
under load that is one transaction for many steps, when idle it is one per event with no delay.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from typing import Any

from dagdeck.store import Store, StoreError


class EventSink:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._written = threading.Condition()
        self._enqueued = 0
        self._done = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="dagdeck-event-sink", daemon=True)
        self._thread.start()

    def emit(self, event: dict[str, Any]) -> None:
        with self._written:
            self._enqueued += 1
        self._queue.put(event)

    def flush(self, timeout: float | None = None) -> None:
        """Block until every event emitted so far is committed."""
        with self._written:
            target = self._enqueued
            ok = self._written.wait_for(lambda: self._done >= target or self._error is not None, timeout)
        if self._error is not None:
            raise self._error
        if not ok:
            raise TimeoutError("events not written in time")

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < 500:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._write(batch)
            with self._written:
                self._done += len(batch)
                self._written.notify_all()

    def _write(self, batch: list[dict[str, Any]]) -> None:
        delay = 0.2
        for attempt in range(8):
            try:
                self.store.append_events(batch)
                return
            except StoreError as err:
                if attempt == 7:
                    self._error = err
                    print(f"dagdeck: could not record {len(batch)} events: {err}", file=sys.stderr)
                    return
                time.sleep(delay)
                delay = min(delay * 2, 5)
