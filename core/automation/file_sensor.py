"""`file_sensor`: the file watcher (`watch.py`) tells the daemon *that* something changed under the
glob's directory (sub-second); a glob scan decides *what* to launch.

Watchdog events are only a wake-up call: the scan against the cursor is the truth, so a missed or
coalesced event costs latency (the periodic rescan catches it), never a run. A file is launched once
its (mtime, size) has been stable for `settle` seconds, so a CSV still being written is not read half
way. The cursor maps each seen path to `mtime:size`; run keys `path:mtime:size` back it up, so a
reset cursor or a restart never relaunches a file that has not changed.
"""

from __future__ import annotations

import glob
import json
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from dagdeck.core.automation.sensor_ticks import FILE_TAG, Evaluation
from dagdeck.core.automation.watch import Watch, dir_watch
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


def glob_watch(pattern: str) -> Watch:
    """What to watch for a glob: every file under its fixed directory, undebounced (the sensor
    spaces its evaluations itself, and a burst of writes is what `StabilityTracker` waits out)."""
    root, recursive = watch_root(pattern)
    return dir_watch(root, recursive)


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
