"""The daemon's sensor pass: start each due sensor's evaluation in its own thread, and commit the
ones that finished (or fail those past their timeout) on a later pass.

A sensor is due when its minimum interval has passed, when its latest tick was interrupted (a new
leader finishes it at once), when the console asked for a tick, when its files changed (at most every `FILE_EVENT_SPACING` real seconds) or when files it saw are still
settling. At most one evaluation per sensor is in flight; one that timed out is abandoned (its
thread cannot be killed) and the sensor waits for it to return before starting another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dagdeck.core.automation.file_sensor import (
    StabilityTracker,
    evaluate_file_sensor,
    glob_watch,
    resolve_pattern,
)
from dagdeck.core.automation.instigators import instigator_state
from dagdeck.core.automation.loop_context import LoopContext
from dagdeck.core.automation.run_status_sensors import evaluate_run_status_sensor
from dagdeck.core.automation.sensor_ticks import (
    Evaluation,
    EvaluationThread,
    SensorEvaluationContext,
    apply_dynamic_partitions_requests,
    evaluate_asset_sensor,
    evaluate_custom_sensor,
    timeout_error,
)
from dagdeck.core.automation.tick_records import record_tick
from dagdeck.core.automation.watch import Watch
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.run_status_sensors import RunStatusSensorDefinition
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.running.instance_reads import StepInstance
from dagdeck.core.statuses import InstigatorStatus, TickStatus
from dagdeck.store import InstigatorState, StoreError

log = logging.getLogger("dagdeck.daemon")

FILE_EVENT_SPACING = 0.1
"""Least real time between two file-event-triggered evaluations of one sensor."""


@dataclass
class SensorSlot:
    """One sensor's evaluation state in this daemon."""

    last_started: float | None = None
    inflight: EvaluationThread | None = None
    inflight_cursor: str | None = None
    inflight_generation: int = 0
    abandoned: EvaluationThread | None = None
    dirty: bool = False
    """Its files changed since the last evaluation started."""
    retry_at: float | None = None
    """Monotonic time to look again (files settling)."""
    last_mono: float = 0.0
    tracker: StabilityTracker = field(default_factory=StabilityTracker)


class SensorEvaluations:
    """Every sensor's slot in one daemon: what is in flight, when each last started, what is due."""

    def __init__(self, ctx: LoopContext, file_settle_seconds: float) -> None:
        self.ctx = ctx
        self.file_settle_seconds = file_settle_seconds
        self.slots: dict[str, SensorSlot] = {}
        self.forced: set[str] = set()

    def request(self, name: str) -> None:
        """Evaluate `name` on the next pass regardless of its interval (console `t`)."""
        self.forced.add(name)
        self.ctx.wake()

    def on_file_event(self, name: str) -> None:
        """Called from the file watcher's thread. Only the first event after an evaluation wakes
        the loop, so a file written in thousands of small chunks does not spin it."""
        slot = self.slots.get(name)
        if slot is not None and not slot.dirty:
            slot.dirty = True
            self.ctx.wake()

    def file_watches(self, loaded: Loaded, states: dict[str, InstigatorState]) -> dict[str, Watch]:
        """Sensor name -> what to watch, for the file sensors switched on. Fills `states` with every
        sensor's switch first (persisting default-on ones), as `start` expects."""
        sensors = loaded.defs.sensors
        for name, sensor in sensors.items():
            instigator_state(self.ctx.store, name, "sensor", str(sensor.default_status), states, self.ctx.now())
        return {
            n: glob_watch(resolve_pattern(s, loaded.location))
            for n, s in sensors.items()
            if s.kind == "file" and states[n].status == InstigatorStatus.RUNNING
        }

    def start(self, loaded: Loaded, now: float, states: dict[str, InstigatorState]) -> None:
        """Start the evaluations that are due (`file_watches` must have filled `states`)."""
        mono = time.monotonic()
        for name, sensor in list(loaded.defs.sensors.items()):
            try:
                state = states[name]
                slot = self.slots.get(name)
                if slot is None:
                    slot = self.slots[name] = SensorSlot(tracker=StabilityTracker(self.file_settle_seconds))
                    last = self.ctx.store.list_ticks(name, limit=1)
                    slot.last_started = last[0].timestamp if last else None
                forced = name in self.forced
                if state.status != InstigatorStatus.RUNNING and not forced:
                    continue
                if slot.abandoned is not None:
                    if not slot.abandoned.done.is_set():
                        continue
                    slot.abandoned = None
                if slot.inflight is not None:
                    continue
                due = (
                    forced
                    or name in self.ctx.resume  # finish the tick a dead daemon left STARTED
                    or slot.last_started is None
                    or now - slot.last_started >= sensor.minimum_interval_seconds
                    or now < slot.last_started  # clock moved back
                    or (slot.dirty and mono - slot.last_mono >= FILE_EVENT_SPACING)
                    or (slot.retry_at is not None and mono >= slot.retry_at)
                )
                if not due:
                    continue
                self.forced.discard(name)
                slot.dirty, slot.retry_at, slot.last_started, slot.last_mono = False, None, now, mono
                slot.inflight_cursor = state.cursor
                slot.inflight_generation = self.ctx.lease.generation
                slot.inflight = EvaluationThread(
                    name, self._evaluator(loaded, sensor, state), self.ctx.evaluation_timeout, self.ctx.wake
                )
            except Exception as err:  # noqa: BLE001
                self.ctx.report(f"sensor {name}", err)

    def _evaluator(self, loaded: Loaded, sensor: SensorDefinition, state: InstigatorState) -> Callable[[], Evaluation]:
        cursor, store = state.cursor, self.ctx.store
        if sensor.kind == "file":
            pattern = resolve_pattern(sensor, loaded.location)
            tracker = self.slots[sensor.name].tracker
            return lambda: evaluate_file_sensor(sensor, pattern, cursor, tracker)
        if sensor.kind == "asset":
            return lambda: evaluate_asset_sensor(sensor, cursor, store, state.started_at)
        if isinstance(sensor, RunStatusSensorDefinition):
            instance = self.ctx.launcher.instance
            return lambda: evaluate_run_status_sensor(sensor, cursor, store, state.started_at, instance)
        last = self.slots[sensor.name].last_started
        reads = StepInstance(self.ctx.launcher.instance)
        return lambda: evaluate_custom_sensor(sensor, SensorEvaluationContext(sensor.name, cursor, last, store, reads))

    def collect(self, loaded: Loaded) -> bool:
        """Commit finished evaluations; fail the ticks of those past their timeout. True when runs
        were launched."""
        launched = False
        sensors = loaded.defs.sensors
        for name, slot in list(self.slots.items()):
            ev_thread = slot.inflight
            if ev_thread is None:
                continue
            sensor = sensors.get(name)
            if ev_thread.done.is_set():
                slot.inflight = None
                if sensor is None or slot.inflight_generation != self.ctx.lease.generation or ev_thread.result is None:
                    continue  # definitions changed or leadership changed meanwhile: drop it
                try:
                    launched |= self._commit(loaded, sensor, slot, ev_thread.result)
                except Exception as err:  # noqa: BLE001
                    if isinstance(err, StoreError):  # its tick may be left STARTED: finish it next pass
                        self.ctx.resume.add(name)
                    self.ctx.report(f"sensor {name}", err)
            elif ev_thread.timed_out():
                slot.inflight, slot.abandoned = None, ev_thread
                if sensor is not None and slot.inflight_generation == self.ctx.lease.generation:
                    self._commit(loaded, sensor, slot, Evaluation(error=timeout_error(name, ev_thread.timeout)))
        return launched

    def _commit(self, loaded: Loaded, sensor: SensorDefinition, slot: SensorSlot, evaluation: Evaluation) -> bool:
        name, store = sensor.name, self.ctx.store
        if not self.ctx.lease.still_held():
            return False
        current = store.get_instigator(name)
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
        if evaluation.dynamic_partitions_requests:
            apply_dynamic_partitions_requests(store, evaluation.dynamic_partitions_requests)
        result = record_tick(
            store,
            self.ctx.launcher,
            loaded,
            name=name,
            kind="sensor",
            evaluation=evaluation,
            now=self.ctx.now(),
            trigger=f"sensor:{name}",
            job_name=sensor.job_name,
            cursor=cursor,
            failure_cursor=cursor if isinstance(sensor, RunStatusSensorDefinition) else current.cursor,
            run_key=lambda _i, r: r.run_key,
            extra_tags=lambda _r: {"dagdeck/sensor": name},
            collapse_repeats=True,
        )
        self.ctx.resume.discard(name)
        if result.tick.status != TickStatus.SKIPPED:
            log.info("sensor %s: %s %s", name, result.tick.status, " ".join(r[:8] for r in result.run_ids))
        return bool(result.run_ids)

    # -- for the loop's waits ---------------------------------------------------------------------
    def inflight(self) -> list[EvaluationThread]:
        return [s.inflight for s in self.slots.values() if s.inflight is not None]

    def next_wake(self, timeout: float) -> float:
        """`timeout`, shortened to the nearest evaluation deadline, settle retry or spaced file event."""
        mono = time.monotonic()
        for slot in self.slots.values():
            if slot.inflight is not None:
                timeout = min(timeout, max(0.01, slot.inflight.deadline - mono))
            if slot.retry_at is not None:
                timeout = min(timeout, max(0.01, slot.retry_at - mono))
            if slot.dirty and slot.inflight is None and slot.abandoned is None:
                timeout = min(timeout, max(0.01, slot.last_mono + FILE_EVENT_SPACING - mono))
        return timeout
