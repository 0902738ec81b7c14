"""One way to watch files, for everyone who reacts to them: the file sensor, the daemon reloading its
definitions and (through `console_api`) the console reloading on save.

A `FileWatcher` runs one watchdog observer for any number of named `Watch`es and calls
`on_change(name)` when a file that a watch cares about changes. Events are a wake-up call, never
the truth: watchdog may coalesce or, past the inotify limit, miss them, so callers rescan (the file
sensor's glob, a fresh import of the definitions) rather than trust the event's path.

`debounce` turns a burst (an editor's save is a write, a chmod and a rename) into one call, that
many seconds after the last event; 0 calls at once, from watchdog's thread, for the file sensor's
sub-second reaction. watchdog is imported on the first watch, so importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchdog.events import FileSystemEvent
    from watchdog.observers.api import BaseObserver, ObservedWatch

log = logging.getLogger("dagdeck.watch")

DEBOUNCE_SECONDS = 0.3
"""Quiet time after the last event before a debounced watch calls back."""
_IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})
"""Reading a file changes nothing (a run reading the file its sensor launched it for, say)."""

DirKey = tuple[str, bool]
"""A directory and whether its subdirectories are watched too."""


@dataclass(frozen=True)
class Watch:
    """What one named watch observes: directories, and which paths in them count."""

    dirs: frozenset[DirKey]
    files: frozenset[str] | None = None
    """Only these paths count (and any ending in one of `suffixes`); None: every file."""
    suffixes: tuple[str, ...] = ()
    debounce: float = 0.0

    def accepts(self, path: str) -> bool:
        if self.files is None or path in self.files:
            return True
        return bool(self.suffixes) and path.endswith(self.suffixes)


def dir_watch(directory: Path, recursive: bool = False, debounce: float = 0.0) -> Watch:
    """Every file in `directory` (and below it when `recursive`)."""
    return Watch(frozenset({(str(directory), recursive)}), debounce=debounce)


def files_watch(files: Iterable[Path], suffixes: tuple[str, ...] = (".py",), debounce: float = DEBOUNCE_SECONDS) -> Watch:
    """These files, and any `suffixes` file beside them: a module the definitions start importing
    after the next save is then watched already. Debounced: a save is a burst of events."""
    resolved = frozenset(str(Path(f).resolve()) for f in files)
    return Watch(frozenset((str(Path(f).parent), False) for f in resolved), resolved, suffixes, debounce)


class _Dispatch:
    """watchdog's handler for one observed directory: forwards its events to the watcher."""

    def __init__(self, watcher: FileWatcher, key: DirKey) -> None:
        self.watcher = watcher
        self.key = key

    def dispatch(self, event: FileSystemEvent) -> None:
        self.watcher._event(self.key, event)


class FileWatcher:
    """One observer for many named watches. `sync` is cheap and idempotent: call it whenever what to
    watch may have changed or a watched directory may have appeared (a missing one is skipped)."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        self.on_change = on_change
        self._lock = threading.Lock()
        """Held while (un)scheduling, which takes the observer's lock: never take it on watchdog's
        thread, which holds the observer's lock while it hands out events."""
        self._timer_lock = threading.Lock()
        self._observer: BaseObserver | None = None
        self._scheduled: dict[DirKey, ObservedWatch] = {}
        # replaced whole, never mutated: watchdog's thread reads them without the lock
        self._watches: dict[str, Watch] = {}
        self._names_by_dir: dict[DirKey, tuple[str, ...]] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._last_event: dict[str, float] = {}

    def sync(self, watches: Mapping[str, Watch]) -> None:
        """Watch exactly `watches` (name -> what), starting the observer on first use."""
        wanted: dict[DirKey, list[str]] = {}
        for name, watch in watches.items():
            for key in watch.dirs:
                wanted.setdefault(key, []).append(name)
        with self._lock:
            self._watches = dict(watches)
            self._names_by_dir = {k: tuple(names) for k, names in wanted.items()}
            with self._timer_lock:
                for name in [n for n in self._timers if n not in watches]:
                    self._timers.pop(name).cancel()
            for key in [k for k in self._scheduled if k not in wanted]:
                self._unschedule(key)
            for key in wanted:
                if key not in self._scheduled and Path(key[0]).is_dir():
                    self._schedule(key)

    def _schedule(self, key: DirKey) -> None:
        if self._observer is None:
            from watchdog.observers import Observer

            self._observer = Observer()
            self._observer.daemon = True
            self._observer.start()
        try:
            self._scheduled[key] = self._observer.schedule(_Dispatch(self, key), key[0], recursive=key[1])  # type: ignore[arg-type]
        except OSError as err:  # e.g. the inotify limit: callers still rescan on their own
            log.warning("cannot watch %s: %s", key[0], err)

    def _unschedule(self, key: DirKey) -> None:
        watch = self._scheduled.pop(key)
        if self._observer is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(watch)

    def watching(self, name: str) -> bool:
        """Is every directory of `name` observed?"""
        watch = self._watches.get(name)
        return watch is not None and all(key in self._scheduled for key in watch.dirs)

    def stop(self) -> None:
        """Stop observing and drop pending calls; a later `sync` starts again."""
        with self._lock:
            observer, self._observer = self._observer, None
            self._scheduled.clear()
            self._watches, self._names_by_dir = {}, {}
            with self._timer_lock:
                for timer in self._timers.values():
                    timer.cancel()
                self._timers.clear()
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)

    # -- watchdog's thread --------------------------------------------------------------------------
    def _event(self, key: DirKey, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in _IGNORED_EVENTS:
            return
        paths = [str(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        watches = self._watches
        for name in self._names_by_dir.get(key, ()):
            watch = watches.get(name)
            if watch is not None and any(watch.accepts(p) for p in paths):
                self._changed(name, watch.debounce)

    def _changed(self, name: str, debounce: float) -> None:
        if debounce <= 0:
            self._call(name)
            return
        with self._timer_lock:
            self._last_event[name] = time.monotonic()
            if name not in self._timers:
                self._start_timer(name, debounce)

    def _start_timer(self, name: str, delay: float) -> None:
        """One timer per burst, pushed back while events keep coming (not one thread per event)."""
        timer = threading.Timer(delay, self._timer_fired, (name,))
        timer.daemon = True
        self._timers[name] = timer
        timer.start()

    def _timer_fired(self, name: str) -> None:
        with self._timer_lock:
            if self._timers.get(name) is not threading.current_thread():
                return  # stopped, or the watch was dropped meanwhile
            watch = self._watches.get(name)
            if watch is None:
                del self._timers[name]
                return
            quiet_left = self._last_event[name] + watch.debounce - time.monotonic()
            if quiet_left > 0:
                self._start_timer(name, quiet_left)
                return
            del self._timers[name]
        self._call(name)

    def _call(self, name: str) -> None:
        try:
            self.on_change(name)
        except Exception:  # noqa: BLE001 - a failing callback must not stop the observer
            log.exception("file watch %s: callback failed", name)
