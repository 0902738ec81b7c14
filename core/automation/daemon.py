"""The automation daemon: fires schedules, evaluates sensors, drains the run queue and watches
workers. Runs headless (`dagdeck daemon`) or as a background thread in the console.

Exactly one process fires: the holder of the store's `daemon` lease, refreshed every second or so.
Others stay standby and take over when the holder's heartbeat is older than `lease_ttl` (12 s, so
with the one-second retry a dead leader is replaced within 15 s). Even two leaders at once could not
double-launch: every schedule tick and keyed sensor request goes through a run-key claim.

Time comes from an injectable `now()` so tests can drive days of schedule ticks in milliseconds;
only evaluation timeouts and file-settle windows use the real monotonic clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dagdeck.core.automation.file_watch import (
    DEFAULT_SETTLE_SECONDS,
    FileWatcher,
    StabilityTracker,
    evaluate_file_sensor,
    resolve_pattern,
)
from dagdeck.core.automation.schedule_ticks import due_ticks, evaluate_schedule, run_key_for, tick_iso
from dagdeck.core.automation.sensor_ticks import (
    DEFAULT_EVALUATION_TIMEOUT,
    FAILURE,
    STARTED,
    Evaluation,
    EvaluationThread,
    SensorEvaluationContext,
    evaluate_asset_sensor,
    evaluate_custom_sensor,
    record_tick,
    timeout_error,
)
from dagdeck.core.defs.loader import Loaded, load
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import RunRequest, SensorDefinition
from dagdeck.core.errors import DagdeckError
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.views.asset_health import evaluate_freshness
from dagdeck.store import InstigatorState, Store, StoreError

log = logging.getLogger("dagdeck.daemon")

LEASE_NAME = "daemon"
LEASE_TTL = 12.0
"""Seconds without a heartbeat after which a standby takes over."""
LEASE_REFRESH = 1.0
RUNNING, STOPPED = "RUNNING", "STOPPED"
FILE_EVENT_SPACING = 0.1
"""Least real time between two file-event-triggered evaluations of one sensor."""

DaemonState = Literal["leader", "standby", "off"]


def default_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class DaemonStatus:
    """What the console header and `dagdeck daemon` show."""

    state: DaemonState
    owner_id: str
    leader_id: str | None
    """Owner of the lease as last seen (this daemon when leader)."""
    last_error: str | None
    last_error_at: float | None
    last_iteration_at: float | None


@dataclass
class _SensorSlot:
    last_started: float | None = None
    inflight: EvaluationThread | None = None
    inflight_cursor: str | None = None
    inflight_generation: int = 0
    abandoned: EvaluationThread | None = None
    dirty: bool = False
    retry_at: float | None = None
    """Monotonic time to look again (files settling)."""
    last_mono: float = 0.0
    tracker: StabilityTracker = field(default_factory=StabilityTracker)


FRESHNESS_INTERVAL = 5.0
"""Seconds between freshness evaluations."""


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
        self.reload_definitions = reload_definitions
        self.file_settle_seconds = file_settle_seconds
        self._loaded = loaded
        self._files_mtime = self._mtimes(loaded)
        self._last_reload_check = time.monotonic()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watcher = FileWatcher(self._on_file_event) if watch_files else None
        self._sensors: dict[str, _SensorSlot] = {}
        self._forced: set[str] = set()
        self._state: DaemonState = "off"
        self._leader_id: str | None = None
        self._last_lease_try: float | None = None
        self._lease_ok_at: float | None = None
        self._generation = 0
        self._last_watch = 0.0
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._last_iteration_at: float | None = None
        self._last_freshness = float("-inf")

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
            if self._state == "leader":
                try:
                    self.store.release_lease(LEASE_NAME, self.owner_id)
                except StoreError as err:
                    self._error(f"cannot release the lease: {err}")
            self._state = "off"
            self._generation += 1

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
        return DaemonStatus(
            self._state, self.owner_id, self._leader_id, self._last_error, self._last_error_at, self._last_iteration_at
        )

    @property
    def is_leader(self) -> bool:
        return self._state == "leader"

    @property
    def loaded(self) -> Loaded:
        return self._loaded

    def set_definitions(self, loaded: Loaded) -> None:
        """Swap in freshly loaded definitions (the console calls this after a reload)."""
        self._loaded = loaded  # one reference swap: safe without the loop's lock
        self._files_mtime = self._mtimes(loaded)
        self._wake.set()

    def request_sensor_tick(self, name: str) -> None:
        """Evaluate `name` on the next iteration regardless of its interval (console `t`)."""
        self._forced.add(name)
        self._wake.set()

    # -- one iteration ----------------------------------------------------------------------------
    def run_once(self, wait: float = 0.0) -> DaemonStatus:
        """One pass: lease, schedules, sensors, run queue. With `wait`, block up to that many real
        seconds for the sensor evaluations started now to finish and commit them (tests)."""
        with self._lock:
            try:
                self._maybe_reload()
                now = self.now()
                if self._refresh_lease(now):
                    states = {s.name: s for s in self.store.all_instigators()}
                    launched = self._run_schedules(now, states)
                    self._start_sensors(now, states)
                    launched |= self._collect()
                    self._run_queue(launched)
                    self._check_freshness(now)
                self._last_iteration_at = now
            except Exception as err:  # noqa: BLE001 - the loop goes on whatever happens
                self._error(f"{type(err).__name__}: {err}", traceback.format_exc())
        if wait > 0:
            self._settle(wait)
        return self.status()

    def _check_freshness(self, now: float) -> None:
        """Mark assets past their freshness policy (and clear marks after a materialization),
        at most every few seconds: it reads the asset state of every asset with a policy."""
        if now - self._last_freshness < FRESHNESS_INTERVAL and self._last_freshness <= now:
            return
        self._last_freshness = now
        evaluate_freshness(self.loaded.defs, self.store, now)

    def _settle(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with self._lock:
                pending = [s.inflight for s in self._sensors.values() if s.inflight is not None]
            if not pending:
                return
            nearest = min(min(p.deadline for p in pending), deadline)
            self._wake.wait(max(0.0, min(nearest - time.monotonic(), 0.05)) + 0.005)
            self._wake.clear()
            with self._lock:
                try:
                    if self._still_leader():
                        self._run_queue(self._collect())
                except Exception as err:  # noqa: BLE001
                    self._error(f"{type(err).__name__}: {err}", traceback.format_exc())

    def _sleep_time(self) -> float:
        timeout = self.interval
        mono = time.monotonic()
        with self._lock:
            for slot in self._sensors.values():
                if slot.inflight is not None:
                    timeout = min(timeout, max(0.01, slot.inflight.deadline - mono))
                if slot.retry_at is not None:
                    timeout = min(timeout, max(0.01, slot.retry_at - mono))
                if slot.dirty and slot.inflight is None and slot.abandoned is None:
                    timeout = min(timeout, max(0.01, slot.last_mono + FILE_EVENT_SPACING - mono))
        return timeout

    def _error(self, message: str, detail: str | None = None) -> None:
        self._last_error = message
        self._last_error_at = self.now()
        log.error("%s", detail or message)

    # -- lease ------------------------------------------------------------------------------------
    def _refresh_lease(self, now: float) -> bool:
        if self._last_lease_try is not None and abs(now - self._last_lease_try) < LEASE_REFRESH:
            return self._state == "leader"
        self._last_lease_try = now
        was = self._state
        if self.store.acquire_lease(LEASE_NAME, self.owner_id, now, ttl=self.lease_ttl):
            self._state, self._leader_id, self._lease_ok_at = "leader", self.owner_id, now
            if was != "leader":
                log.info("daemon %s is the leader", self.owner_id)
                self._generation += 1
                self._recover_interrupted_ticks()
        else:
            lease = self.store.get_lease(LEASE_NAME)
            self._leader_id = lease.owner if lease else None
            self._state = "standby"
            if was == "leader":
                log.warning("daemon %s lost the lease to %s", self.owner_id, self._leader_id)
                self._generation += 1
            elif was == "off":
                log.info("daemon %s is standby (leader: %s)", self.owner_id, self._leader_id)
        return self._state == "leader"

    def _still_leader(self) -> bool:
        """Before committing late results: is our last heartbeat still safely inside the ttl?"""
        if self._state != "leader" or self._lease_ok_at is None:
            return False
        now = self.now()
        if now - self._lease_ok_at > self.lease_ttl / 2:
            self._last_lease_try = None
            return self._refresh_lease(now)
        return True

    def _recover_interrupted_ticks(self) -> None:
        """A tick left STARTED means a daemon died between claiming its run keys and submitting
        the runs: say so on the tick instead of leaving it looking in progress."""
        defs = self._loaded.defs
        for name in [*defs.schedules, *defs.sensors]:
            for t in self.store.list_ticks(name, limit=3):
                if t.status == STARTED and t.id is not None:
                    self.store.update_tick(
                        t.id,
                        status=FAILURE,
                        error="interrupted: the daemon stopped while launching this tick's runs; runs not "
                        "listed here were not launched (their run keys stay used)",
                    )

    # -- schedules --------------------------------------------------------------------------------
    def _instigator(self, name: str, kind: str, default: str, states: dict[str, InstigatorState]) -> InstigatorState:
        state = states.get(name)
        if state is None:
            if default == RUNNING:
                # first sight of a default-on instigator: persist it so its start time is known
                # ("no ticks from before"); default-off ones stay unwritten until switched on
                state = self.store.upsert_instigator(name, kind, status=RUNNING, now=self.now())
            else:
                state = InstigatorState(name=name, kind=kind, status=STOPPED, updated_at=self.now())
            states[name] = state
        return state

    def _run_schedules(self, now: float, states: dict[str, InstigatorState]) -> bool:
        launched = False
        for sched in list(self._loaded.defs.schedules.values()):
            name = str(sched.name)
            try:
                state = self._instigator(name, "schedule", str(sched.default_status), states)
                if state.status != RUNNING:
                    continue
                after = float(state.cursor) if state.cursor else None
                ticks, dropped = due_ticks(
                    sched.cron_schedule,
                    sched.execution_timezone,
                    now=now,
                    after=after,
                    not_before=state.started_at if state.started_at is not None else now,
                    limit=max(1, sched.max_catchup_ticks),
                )
                if dropped:
                    log.warning("schedule %s: skipped %d missed tick(s) (max_catchup_ticks=%d)", name, dropped, sched.max_catchup_ticks)
                for instant in ticks:
                    if not self._still_leader():
                        return launched
                    launched |= self._fire_schedule(sched, instant.timestamp(), instant, now)
            except Exception as err:  # noqa: BLE001 - one schedule never stops the others
                self._error(f"schedule {name}: {type(err).__name__}: {err}", traceback.format_exc())
        return launched

    def _fire_schedule(self, sched: ScheduleDefinition, ts: float, instant: dt.datetime, now: float) -> bool:
        name = str(sched.name)
        evaluation = self._evaluate_with_timeout(name, lambda: evaluate_schedule(sched, instant))
        iso = tick_iso(instant)

        def key(i: int, r: RunRequest) -> str:
            return run_key_for(name, instant, r.run_key or (str(i) if i else None))

        result = record_tick(
            self.store,
            self.launcher,
            self._loaded,
            name=name,
            kind="schedule",
            evaluation=evaluation,
            now=now,
            trigger=f"schedule:{name}",
            job_name=sched.job_name,
            cursor=repr(ts),
            failure_cursor=repr(ts),
            run_key=key,
            extra_tags=lambda _r: {**sched.tags, "dagdeck/schedule": name, "dagdeck/scheduled_time": iso},
            scheduled_at=ts,
        )
        log.info("schedule %s tick %s: %s %s", name, iso, result.tick.status, " ".join(r[:8] for r in result.run_ids))
        return bool(result.run_ids)

    def _evaluate_with_timeout(self, name: str, fn: Callable[[], Evaluation]) -> Evaluation:
        """Schedule functions are quick by nature; still, one that hangs fails its tick."""
        thread = EvaluationThread(name, fn, self.evaluation_timeout, lambda: None)
        result = thread.wait(self.evaluation_timeout)
        return result if result is not None else Evaluation(error=timeout_error(name, self.evaluation_timeout))

    # -- sensors ----------------------------------------------------------------------------------
    def _on_file_event(self, sensor_name: str) -> None:
        """Called from watchdog's thread. Only the first event after an evaluation wakes the loop,
        so a file written in thousands of small chunks does not spin it."""
        slot = self._sensors.get(sensor_name)
        if slot is not None and not slot.dirty:
            slot.dirty = True
            self._wake.set()

    def _start_sensors(self, now: float, states: dict[str, InstigatorState]) -> None:
        sensors = self._loaded.defs.sensors
        for name, sensor in sensors.items():
            self._instigator(name, "sensor", str(sensor.default_status), states)
        if self._watcher is not None:
            self._watcher.sync(
                {
                    n: resolve_pattern(s, self._loaded.location)
                    for n, s in sensors.items()
                    if s.kind == "file" and states[n].status == RUNNING
                }
            )
        mono = time.monotonic()
        for name, sensor in list(sensors.items()):
            try:
                state = states[name]
                slot = self._sensors.get(name)
                if slot is None:
                    slot = self._sensors[name] = _SensorSlot(tracker=StabilityTracker(self.file_settle_seconds))
                    last = self.store.list_ticks(name, limit=1)
                    slot.last_started = last[0].timestamp if last else None
                forced = name in self._forced
                if state.status != RUNNING and not forced:
                    continue
                if slot.abandoned is not None:
                    if not slot.abandoned.done.is_set():
                        continue
                    slot.abandoned = None
                if slot.inflight is not None:
                    continue
                due = (
                    forced
                    or slot.last_started is None
                    or now - slot.last_started >= sensor.minimum_interval_seconds
                    or now < slot.last_started  # clock moved back
                    or (slot.dirty and mono - slot.last_mono >= FILE_EVENT_SPACING)
                    or (slot.retry_at is not None and mono >= slot.retry_at)
                )
                if not due:
                    continue
                self._forced.discard(name)
                slot.dirty, slot.retry_at, slot.last_started, slot.last_mono = False, None, now, mono
                slot.inflight_cursor = state.cursor
                slot.inflight_generation = self._generation
                slot.inflight = EvaluationThread(
                    name, self._evaluator(sensor, state), self.evaluation_timeout, self._wake.set
                )
            except Exception as err:  # noqa: BLE001
                self._error(f"sensor {name}: {type(err).__name__}: {err}", traceback.format_exc())

    def _evaluator(self, sensor: SensorDefinition, state: InstigatorState) -> Callable[[], Evaluation]:
        cursor, store = state.cursor, self.store
        if sensor.kind == "file":
            pattern = resolve_pattern(sensor, self._loaded.location)
            tracker = self._sensors[sensor.name].tracker
            return lambda: evaluate_file_sensor(sensor, pattern, cursor, tracker)
        if sensor.kind == "asset":
            return lambda: evaluate_asset_sensor(sensor, cursor, store, state.started_at)
        last = self._sensors[sensor.name].last_started
        return lambda: evaluate_custom_sensor(sensor, SensorEvaluationContext(sensor.name, cursor, last, store))

    def _collect(self) -> bool:
        """Commit finished evaluations; fail the ticks of those past their timeout."""
        launched = False
        sensors = self._loaded.defs.sensors
        for name, slot in list(self._sensors.items()):
            ev_thread = slot.inflight
            if ev_thread is None:
                continue
            sensor = sensors.get(name)
            if ev_thread.done.is_set():
                slot.inflight = None
                if sensor is None or slot.inflight_generation != self._generation or ev_thread.result is None:
                    continue  # definitions changed or leadership changed meanwhile: drop it
                try:
                    launched |= self._commit_sensor(sensor, slot, ev_thread.result)
                except Exception as err:  # noqa: BLE001
                    self._error(f"sensor {name}: {type(err).__name__}: {err}", traceback.format_exc())
            elif ev_thread.timed_out():
                slot.inflight, slot.abandoned = None, ev_thread
                if sensor is not None and slot.inflight_generation == self._generation:
                    self._commit_sensor(sensor, slot, Evaluation(error=timeout_error(name, ev_thread.timeout)))
        return launched

    def _commit_sensor(self, sensor: SensorDefinition, slot: _SensorSlot, evaluation: Evaluation) -> bool:
        name = sensor.name
        if not self._still_leader():
            return False
        current = self.store.get_instigator(name)
        if current is None:
            return False
        if current.cursor != slot.inflight_cursor:
            # someone reset the cursor (or another daemon moved it) while we evaluated: our result
            # was computed from a stale cursor, so committing it would silently overwrite theirs
            log.warning("sensor %s: cursor changed during evaluation; evaluating again", name)
            slot.dirty = True
            return False
        if evaluation.retry_after is not None:
            slot.retry_at = time.monotonic() + evaluation.retry_after
        cursor = evaluation.cursor if evaluation.cursor_updated else current.cursor
        result = record_tick(
            self.store,
            self.launcher,
            self._loaded,
            name=name,
            kind="sensor",
            evaluation=evaluation,
            now=self.now(),
            trigger=f"sensor:{name}",
            job_name=sensor.job_name,
            cursor=cursor,
            failure_cursor=current.cursor,
            run_key=lambda _i, r: r.run_key,
            extra_tags=lambda _r: {"dagdeck/sensor": name},
            collapse_skips=True,
        )
        if result.tick.status != "SKIPPED":
            log.info("sensor %s: %s %s", name, result.tick.status, " ".join(r[:8] for r in result.run_ids))
        return bool(result.run_ids)

    # -- run queue and definitions ----------------------------------------------------------------
    def _run_queue(self, launched: bool) -> None:
        if not self.run_queue:
            return
        mono = time.monotonic()
        if mono - self._last_watch >= 1.0:
            self._last_watch = mono
            for run_id in self.launcher.watch():  # also drains
                log.warning("run %s: worker died; marked failed", run_id[:8])
        elif launched:
            self.launcher.drain()

    @staticmethod
    def _mtimes(loaded: Loaded) -> dict[Path, float]:
        out: dict[Path, float] = {}
        for f in loaded.files:
            try:
                out[f] = f.stat().st_mtime
            except OSError:
                out[f] = -1.0
        return out

    def _maybe_reload(self) -> None:
        if not self.reload_definitions or time.monotonic() - self._last_reload_check < 2.0:
            return
        self._last_reload_check = time.monotonic()
        if self._mtimes(self._loaded) == self._files_mtime:
            return
        try:
            fresh = load(self._loaded.location)
        except DagdeckError as err:
            self._files_mtime = self._mtimes(self._loaded)
            self._error(f"definitions not reloaded: {err}")
            return
        log.info("definitions reloaded: %s", fresh.defs.describe())
        self._loaded, self._files_mtime = fresh, self._mtimes(fresh)
