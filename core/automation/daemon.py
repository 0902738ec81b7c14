"""The automation daemon: fires schedules, evaluates sensors, drains the run queue and watches
workers. Runs headless (`dagdeck daemon`) or as a background thread in the console.

This module is the loop; each pass takes or keeps the lease (`lease.py`; only the leader fires),
fires due schedules (`schedule_firing.py`), starts and commits sensor evaluations
(`sensor_evaluations.py`), launches backfills' runs (`backfills.py`), tends the run queue
(`run_queue.py`) and marks overdue assets
(`freshness.py`). One file watcher (`watch.py`) wakes it for file sensors and, headless, for edits
to the definitions.

Time comes from an injectable `now()` so tests can drive days of schedule ticks in milliseconds;
only evaluation timeouts and file-settle windows use the real monotonic clock.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from dagdeck.core.automation.backfills import BackfillPass
from dagdeck.core.automation.file_sensor import DEFAULT_SETTLE_SECONDS
from dagdeck.core.automation.freshness import FreshnessPass
from dagdeck.core.automation.lease import LEASE_TTL, Lease, default_owner_id
from dagdeck.core.automation.loop_context import LoopContext
from dagdeck.core.automation.run_queue import RunQueueTender
from dagdeck.core.automation.schedule_firing import fire_due_schedules
from dagdeck.core.automation.sensor_evaluations import SensorEvaluations
from dagdeck.core.automation.sensor_ticks import DEFAULT_EVALUATION_TIMEOUT
from dagdeck.core.automation.tick_records import settle_interrupted_ticks
from dagdeck.core.automation.watch import FileWatcher, Watch, files_watch
from dagdeck.core.defs.loader import Loaded, load
from dagdeck.core.errors import DagdeckError
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.statuses import DaemonRole, InstigatorStatus
from dagdeck.store import Store, StoreError

log = logging.getLogger("dagdeck.daemon")

SENSOR_WATCH = "sensor:"
"""Prefix of a file sensor's watch name; the definitions files are watched as `DEFINITIONS_WATCH`."""
DEFINITIONS_WATCH = "definitions"


@dataclass(frozen=True)
class DaemonStatus:
    """What the console header and `dagdeck daemon` show."""

    state: DaemonRole
    owner_id: str
    leader_id: str | None
    """Owner of the lease as last seen (this daemon when leader)."""
    last_error: str | None
    last_error_at: float | None
    last_iteration_at: float | None


class Daemon:
    def __init__(
        self,
        instance: Instance,
        loaded: Loaded,
        *,
        now: Callable[[], float] = time.time,
        owner_id: str | None = None,
        evaluation_timeout: float = DEFAULT_EVALUATION_TIMEOUT,
        lease_ttl: float = LEASE_TTL,
        interval: float = 0.5,
        run_queue: bool = True,
        watch_files: bool = True,
        reload_definitions: bool = False,
        file_settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    ) -> None:
        """`run_queue=False` leaves launched runs QUEUED (tests; a console that drains itself).
        `watch_files=False` leaves file sensors to their interval (tests).
        `reload_definitions=True` re-imports the code location when its files change (headless;
        the console reloads by itself and calls `set_definitions`)."""
        self.instance = instance
        self.store: Store = instance.store
        self.launcher = Launcher(instance)
        self.now = now
        self.owner_id = owner_id or default_owner_id()
        self.evaluation_timeout = evaluation_timeout
        self.lease_ttl = lease_ttl
        self.interval = interval
        self.run_queue = run_queue
        self.watch_files = watch_files
        self.reload_definitions = reload_definitions
        self.file_settle_seconds = file_settle_seconds
        self._loaded = loaded
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lease = Lease(self.store, self.owner_id, lease_ttl, now, self._on_leadership)
        self._ctx = LoopContext(self.store, self.launcher, self._lease, now, evaluation_timeout, self._wake.set, self._error)
        self._sensors = SensorEvaluations(self._ctx, file_settle_seconds)
        self._queue = RunQueueTender(self.launcher)
        self._freshness = FreshnessPass()
        self._backfills = BackfillPass(self.store, instance.settings.max_concurrent_runs)
        self._watcher = FileWatcher(self._on_file_change) if watch_files or reload_definitions else None
        self._definitions_changed = threading.Event()
        self._sensor_watches: dict[str, Watch] = {}
        """The running file sensors' watches as of the last pass as leader."""
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._last_iteration_at: float | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Run the loop in a background thread (the console's way)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="dagdeck-daemon", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop, release the lease so a standby takes over at once, stop watching files.
        Sensor evaluations still running are abandoned (their results are never committed)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.stop()
            try:
                self._lease.release()
            except StoreError as err:
                self._error(f"cannot release the lease: {err}")

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """The loop (`dagdeck daemon` calls this in the main thread). Returns when `stop()` is
        called or `stop` is set."""
        while not self._stop.is_set() and not (stop is not None and stop.is_set()):
            self.run_once()
            self._wake.wait(self._sleep_time())
            self._wake.clear()
        if stop is not None and stop.is_set():
            self.close()

    def wake(self) -> None:
        self._wake.set()

    def status(self) -> DaemonStatus:
        lease = self._lease
        return DaemonStatus(
            lease.role, self.owner_id, lease.leader_id, self._last_error, self._last_error_at, self._last_iteration_at
        )

    @property
    def is_leader(self) -> bool:
        return self._lease.held

    @property
    def loaded(self) -> Loaded:
        return self._loaded

    def set_definitions(self, loaded: Loaded) -> None:
        """Swap in freshly loaded definitions (the console calls this after a reload)."""
        self._loaded = loaded  # one reference swap: safe without the loop's lock
        self._wake.set()

    def request_sensor_tick(self, name: str) -> None:
        """Evaluate `name` on the next iteration regardless of its interval (console `t`)."""
        self._sensors.request(name)

    # -- one iteration ----------------------------------------------------------------------------
    def run_once(self, wait: float = 0.0) -> DaemonStatus:
        """One pass: lease, schedules, sensors, run queue. With `wait`, block up to that many real
        seconds for the sensor evaluations started now to finish and commit them (tests)."""
        with self._lock:
            try:
                self._maybe_reload()
                loaded, now = self._loaded, self.now()
                if self._lease.refresh(now):
                    states = {s.name: s for s in self.store.all_instigators()}
                    launched = fire_due_schedules(self._ctx, loaded, now, states)
                    self._sensor_watches = self._sensors.file_watches(loaded, states)
                    self._sync_watches(loaded)
                    self._sensors.start(loaded, now, states)
                    launched |= self._sensors.collect(loaded)
                    launched |= self._backfills.tend(loaded.defs)
                    self._tend_queue(launched)
                    self._freshness.maybe_run(loaded.defs, self.store, now)
                else:
                    self._sync_watches(loaded)  # a standby reloads its definitions too
                self._last_iteration_at = now
            except Exception as err:  # noqa: BLE001 - the loop goes on whatever happens
                self._error(f"{type(err).__name__}: {err}", traceback.format_exc())
        if wait > 0:
            self._settle(wait)
        return self.status()

    def _settle(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with self._lock:
                pending = self._sensors.inflight()
            if not pending:
                return
            nearest = min(min(p.deadline for p in pending), deadline)
            self._wake.wait(max(0.0, min(nearest - time.monotonic(), 0.05)) + 0.005)
            self._wake.clear()
            with self._lock:
                try:
                    if self._lease.still_held():
                        self._tend_queue(self._sensors.collect(self._loaded))
                except Exception as err:  # noqa: BLE001
                    self._error(f"{type(err).__name__}: {err}", traceback.format_exc())

    def _sleep_time(self) -> float:
        with self._lock:
            return self._sensors.next_wake(self.interval)

    def _tend_queue(self, launched: bool) -> None:
        if self.run_queue:
            self._queue.tend(launched)

    def _error(self, message: str, detail: str | None = None) -> None:
        self._last_error = message
        self._last_error_at = self.now()
        log.error("%s", detail or message)

    def _on_leadership(self) -> None:
        """Just became leader: find the ticks a dead leader left half done; the running
        instigators' next evaluations (at once) finish them, the others are ended."""
        defs = self._loaded.defs
        kinds = {**{str(n): "schedule" for n in defs.schedules}, **{str(n): "sensor" for n in defs.sensors}}
        stored = {s.name: s.status for s in self.store.all_instigators()}
        defaults = {
            **{str(n): str(s.default_status) for n, s in defs.schedules.items()},
            **{str(n): str(s.default_status) for n, s in defs.sensors.items()},
        }
        running = {n for n in kinds if stored.get(n, defaults[n]) == InstigatorStatus.RUNNING}
        self._ctx.resume.clear()
        self._ctx.resume.update(settle_interrupted_ticks(self.store, kinds, running))

    # -- watching files and reloading definitions -------------------------------------------------
    def _sync_watches(self, loaded: Loaded) -> None:
        """What the watcher observes: the running file sensors' directories and, when reloading,
        the definitions files."""
        if self._watcher is None:
            return
        watches = {SENSOR_WATCH + n: w for n, w in self._sensor_watches.items()} if self.watch_files else {}
        if self.reload_definitions:
            watches[DEFINITIONS_WATCH] = files_watch(loaded.files)
        self._watcher.sync(watches)

    def _on_file_change(self, name: str) -> None:
        """Called from the watcher's threads: a sensor's files, or (debounced) the definitions."""
        if name == DEFINITIONS_WATCH:
            self._definitions_changed.set()
            self._wake.set()
        elif name.startswith(SENSOR_WATCH):
            self._sensors.on_file_event(name.removeprefix(SENSOR_WATCH))

    def _maybe_reload(self) -> None:
        if not self._definitions_changed.is_set():
            return
        self._definitions_changed.clear()
        try:
            fresh = load(self._loaded.location)
        except DagdeckError as err:
            self._error(f"definitions not reloaded: {err}")
            return
        log.info("definitions reloaded: %s", fresh.defs.describe())
        self._loaded = fresh
