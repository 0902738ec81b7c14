"""`file_sensor`: watchdog tells the daemon *that* something changed (sub-second); a glob scan
decides *what* to launch.

Watchdog events are only a wake-up call: the scan against the cursor is the truth, so a missed or
coalesced event costs latency (the periodic rescan catches it), never a run. A file is launched once
its (mtime, size) has been stable for `settle` seconds, so a CSV still being written is not read half
way. The cursor maps each seen path to `mtime:size`; run keys `path:mtime:size` back it up, so a
reset cursor or a restart never relaunches a file that has not changed.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from dagdeck.core.automation.sensor_ticks import FILE_TAG, Evaluation
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.sensors import RunRequest, SensorDefinition

DEFAULT_SETTLE_SECONDS = 0.3
_GLOB_CHARS = frozenset("*?[")


def resolve_pattern(sensor: SensorDefinition, location: CodeLocation | None) -> str:
    """Absolute glob: relative ones are relative to the file that defined the sensor, else to the
    code location's working directory."""
    raw = Path(os.path.expanduser(sensor.watch or ""))
    if raw.is_absolute():
        return str(raw)
    defined_in = sensor.defined_at[0]
    if defined_in and Path(defined_in).is_file():
        base = Path(defined_in).resolve().parent
    else:
        base = Path(location.working_dir if location else ".").resolve()
    return str(base / raw)


def watch_root(pattern: str) -> tuple[Path, bool]:
    """The directory to observe (the pattern's fixed prefix) and whether to recurse into it."""
    parts = Path(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    rest = parts[len(fixed) :]
    if not rest:  # a plain path: watch its directory
        return Path(*fixed).parent, False
    return Path(*fixed), len(rest) > 1 or "**" in rest


def scan(pattern: str) -> dict[str, os.stat_result]:
    out: dict[str, os.stat_result] = {}
    for path in glob.glob(pattern, recursive=True):
        try:
            st = os.stat(path)
        except OSError:
            continue
        if os.path.isfile(path):
            out[os.path.abspath(path)] = st
    return out


def file_run_key(path: str, st: os.stat_result) -> str:
    return f"{path}:{st.st_mtime}:{st.st_size}"


class StabilityTracker:
    """Remembers when each file was first seen with its current (mtime, size)."""

    def __init__(self, settle: float = DEFAULT_SETTLE_SECONDS) -> None:
        self.settle = settle
        self._seen: dict[str, tuple[tuple[float, int], float]] = {}
        self._lock = threading.Lock()

    def stable(self, path: str, st: os.stat_result) -> bool:
        sig = (st.st_mtime, st.st_size)
        now = time.monotonic()
        with self._lock:
            prev = self._seen.get(path)
            if prev is None or prev[0] != sig:
                self._seen[path] = (sig, now)
                first_seen = now
            else:
                first_seen = prev[1]
        age = time.time() - st.st_mtime
        return age >= self.settle or now - first_seen >= self.settle

    def forget_missing(self, present: Mapping[str, object]) -> None:
        with self._lock:
            for path in [p for p in self._seen if p not in present]:
                del self._seen[path]


def evaluate_file_sensor(
    sensor: SensorDefinition, pattern: str, cursor: str | None, tracker: StabilityTracker
) -> Evaluation:
    """Run requests for new or changed files whose size has settled, oldest first."""
    try:
        seen: dict[str, str] = json.loads(cursor) if cursor else {}
        if not isinstance(seen, dict):
            seen = {}
    except json.JSONDecodeError:
        seen = {}
    files = scan(pattern)
    tracker.forget_missing(files)
    new_seen = {p: sig for p, sig in seen.items() if p in files}
    requests: list[RunRequest] = []
    waiting = 0
    for path, st in sorted(files.items(), key=lambda kv: (kv[1].st_mtime, kv[0])):
        sig = f"{st.st_mtime}:{st.st_size}"
        if seen.get(path) == sig:
            continue
        if not tracker.stable(path, st):
            waiting += 1
            continue
        requests.append(RunRequest(run_key=file_run_key(path, st), tags={FILE_TAG: path}))
        new_seen[path] = sig
    if requests:
        skip = None
    elif waiting:
        skip = f"waiting for {waiting} file(s) to finish writing"
    else:
        skip = f"no new or changed files matching {sensor.watch}"
    return Evaluation(
        requests=requests,
        skip_reason=skip,
        cursor=json.dumps(new_seen, sort_keys=True),
        cursor_updated=new_seen != seen,
        retry_after=tracker.settle if waiting else None,
    )


class _Handler(FileSystemEventHandler):
    def __init__(self, name: str, notify: Callable[[str], None]) -> None:
        self.name = name
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not event.is_directory and event.event_type != "opened":
            self.notify(self.name)


class FileWatcher:
    """One watchdog observer for all file sensors; `notify(sensor_name)` on any change under a
    watched root. `sync` is cheap and idempotent: call it whenever the definitions may have changed
    or a watched directory may have appeared."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.notify = notify
        self._observer: BaseObserver | None = None
        self._watches: dict[str, tuple[tuple[Path, bool], ObservedWatch | None]] = {}

    def sync(self, patterns: Mapping[str, str]) -> None:
        for name in [n for n in self._watches if n not in patterns]:
            self._unschedule(name)
        for name, pattern in patterns.items():
            root = watch_root(pattern)
            current = self._watches.get(name)
            if current is not None and current[0] == root and current[1] is not None:
                continue
            if current is not None:
                self._unschedule(name)
            watch = None
            if root[0].is_dir():
                if self._observer is None:
                    self._observer = Observer()
                    self._observer.daemon = True
                    self._observer.start()
                try:
                    watch = self._observer.schedule(_Handler(name, self.notify), str(root[0]), recursive=root[1])
                except OSError:
                    watch = None  # e.g. inotify limit: the periodic rescan still works
            self._watches[name] = (root, watch)

    def _unschedule(self, name: str) -> None:
        _root, watch = self._watches.pop(name)
        if watch is not None and self._observer is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(watch)

    def watching(self, name: str) -> bool:
        entry = self._watches.get(name)
        return entry is not None and entry[1] is not None

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        self._watches.clear()
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
