"""Read and switch schedules and sensors: what `dagdeck schedules|sensors ...` and the console's
Automation screen show and do. Everything here works without a running daemon (it reads the store),
and "evaluate a sensor now" runs the same code path the daemon uses."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from dagdeck.core.automation.file_sensor import StabilityTracker, evaluate_file_sensor, resolve_pattern
from dagdeck.core.automation.lease import LEASE_NAME, LEASE_TTL
from dagdeck.core.automation.run_status_sensors import evaluate_run_status_sensor
from dagdeck.core.automation.schedule_ticks import next_tick
from dagdeck.core.automation.sensor_ticks import (
    DEFAULT_EVALUATION_TIMEOUT,
    Evaluation,
    EvaluationThread,
    SensorEvaluationContext,
    apply_dynamic_partitions_requests,
    describe_request,
    evaluate_asset_sensor,
    evaluate_custom_sensor,
    timeout_error,
)
from dagdeck.core.automation.tick_records import record_tick
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.run_status_sensors import RunStatusSensorDefinition
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.instance import Instance
from dagdeck.core.running.instance_reads import StepInstance
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.statuses import DaemonState, InstigatorStatus
from dagdeck.core.timefmt import iso
from dagdeck.store import InstigatorState, Run, Store, Tick

Kind = Literal["schedule", "sensor"]


@dataclass(frozen=True)
class AutomationRow:
    """One schedule or sensor with its live state."""

    name: str
    kind: Kind
    status: str
    """RUNNING or STOPPED (the stored switch, else the definition's default_status)."""
    job_name: str | None
    description: str | None
    next_tick: float | None
    """Schedules: next scheduled time when running. Sensors: earliest next evaluation when running."""
    last_tick: Tick | None
    cron_schedule: str | None = None
    execution_timezone: str | None = None
    sensor_kind: str | None = None
    """custom, file or asset."""
    minimum_interval_seconds: float | None = None
    target: str | None = None
    """File glob or asset key a built-in sensor watches."""
    cursor: str | None = None

    def to_json(self) -> dict[str, Any]:
        t = self.last_tick
        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "next_tick": iso(self.next_tick) if self.kind == "schedule" else None,
            "last_tick_status": t.status if t else None,
            "last_tick_at": iso(t.timestamp) if t else None,
            "job": self.job_name,
            "cron_schedule": self.cron_schedule,
            "execution_timezone": self.execution_timezone,
            "sensor_kind": self.sensor_kind,
            "minimum_interval_seconds": self.minimum_interval_seconds,
            "target": self.target,
            "next_evaluation": iso(self.next_tick) if self.kind == "sensor" else None,
            "last_tick_error": t.error.strip().splitlines()[-1] if t and t.error else None,
            "last_tick_skip_reason": t.skip_reason if t else None,
            "last_tick_run_ids": list(t.run_ids) if t else [],
        }


def _status(state: InstigatorState | None, default: str) -> str:
    return state.status if state is not None else str(default)


def schedule_row(s: ScheduleDefinition, state: InstigatorState | None, store: Store, now: float) -> AutomationRow:
    status = _status(state, s.default_status)
    ticks = store.list_ticks(str(s.name), limit=1)
    nxt = next_tick(s.cron_schedule, s.execution_timezone, now) if status == InstigatorStatus.RUNNING else None
    return AutomationRow(
        name=str(s.name),
        kind="schedule",
        status=status,
        job_name=s.job_name,
        description=s.description,
        next_tick=nxt.timestamp() if nxt else None,
        last_tick=ticks[0] if ticks else None,
        cron_schedule=s.cron_schedule,
        execution_timezone=s.execution_timezone,
        cursor=state.cursor if state else None,
    )


def sensor_row(s: SensorDefinition, state: InstigatorState | None, store: Store, now: float) -> AutomationRow:
    status = _status(state, s.default_status)
    ticks = store.list_ticks(s.name, limit=1)
    last = ticks[0] if ticks else None
    nxt = None
    if status == InstigatorStatus.RUNNING:
        nxt = max(now, last.timestamp + s.minimum_interval_seconds) if last else now
    target = s.watch if s.kind == "file" else s.asset_key.to_user_string() if s.asset_key else None
    if isinstance(s, RunStatusSensorDefinition):
        target = f"runs ending {s.run_status}" + (f" of {', '.join(s.monitored_jobs)}" if s.monitored_jobs else "")
    return AutomationRow(
        name=s.name,
        kind="sensor",
        status=status,
        job_name=s.job_name,
        description=s.description,
        next_tick=nxt,
        last_tick=last,
        sensor_kind=s.kind,
        minimum_interval_seconds=s.minimum_interval_seconds,
        target=target,
        cursor=state.cursor if state else None,
    )


def list_automation(
    defs: Definitions, store: Store, kind: Kind | None = None, now: float | None = None
) -> list[AutomationRow]:
    """Schedules then sensors, each sorted by name."""
    now = time.time() if now is None else now
    states = {s.name: s for s in store.all_instigators()}
    rows: list[AutomationRow] = []
    if kind in (None, "schedule"):
        rows += [schedule_row(s, states.get(n), store, now) for n, s in sorted(defs.schedules.items())]
    if kind in (None, "sensor"):
        rows += [sensor_row(s, states.get(n), store, now) for n, s in sorted(defs.sensors.items())]
    return rows


def find_instigator(defs: Definitions, name: str, kind: Kind | None = None) -> ScheduleDefinition | SensorDefinition:
    if kind in (None, "schedule") and name in defs.schedules:
        return defs.schedules[name]
    if kind in (None, "sensor") and name in defs.sensors:
        return defs.sensors[name]
    names = [*(defs.schedules if kind != "sensor" else []), *(defs.sensors if kind != "schedule" else [])]
    what = kind or "schedule or sensor"
    raise DagdeckError(f"no {what} named {name!r}; " + (did_you_mean(name, names) or f"known: {', '.join(sorted(names)) or 'none'}"))


def set_running(
    defs: Definitions, store: Store, name: str, running: bool, kind: Kind | None = None, now: float | None = None
) -> InstigatorState:
    """Switch a schedule or sensor on or off; the switch persists. A schedule switched on never
    fires ticks from before that moment."""
    obj = find_instigator(defs, name, kind)
    k = "schedule" if isinstance(obj, ScheduleDefinition) else "sensor"
    return store.upsert_instigator(name, k, status=InstigatorStatus.RUNNING if running else InstigatorStatus.STOPPED, now=now)


def toggle(defs: Definitions, store: Store, name: str, now: float | None = None) -> InstigatorState:
    """The console's `space`."""
    obj = find_instigator(defs, name)
    state = store.get_instigator(name)
    default = obj.default_status
    return set_running(defs, store, name, _status(state, default) != InstigatorStatus.RUNNING, now=now)


def reset_cursor(defs: Definitions, store: Store, name: str) -> InstigatorState:
    """Forget a sensor's cursor. Run keys stay used, so unchanged work is still not relaunched."""
    sensor = find_instigator(defs, name, "sensor")
    return store.upsert_instigator(sensor.name, "sensor", cursor=None)


@dataclass
class TickView:
    """A tick with the runs it launched, for the tick-history pane."""

    tick: Tick
    runs: list[Run] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        t = self.tick
        return {
            "id": t.id,
            "status": t.status,
            "timestamp": iso(t.timestamp),
            "scheduled_at": iso(t.scheduled_at),
            "skip_reason": t.skip_reason,
            "error": t.error,
            "cursor": t.cursor,
            "runs": [{"run_id": r.run_id, "status": r.status, "job": r.job_name} for r in self.runs],
        }


def tick_history(store: Store, name: str, limit: int = 50) -> list[TickView]:
    """Newest first."""
    out = []
    for t in store.list_ticks(name, limit=limit):
        runs = [r for r in (store.get_run(rid) for rid in t.run_ids) if r is not None]
        out.append(TickView(t, runs))
    return out


@dataclass(frozen=True)
class DaemonInfo:
    """The daemon as any process sees it through the lease: `running` when some process holds a
    fresh lease, else `off`."""

    state: DaemonState
    owner: str | None
    heartbeat_at: float | None


def daemon_info(store: Store, now: float | None = None, ttl: float = LEASE_TTL) -> DaemonInfo:
    now = time.time() if now is None else now
    lease = store.get_lease(LEASE_NAME)
    if lease is None or now - lease.heartbeat_at > ttl:
        return DaemonInfo(DaemonState.OFF, lease.owner if lease else None, lease.heartbeat_at if lease else None)
    return DaemonInfo(DaemonState.RUNNING, lease.owner, lease.heartbeat_at)


# -- evaluate a sensor now --------------------------------------------------------------------------


@dataclass
class SensorTickPreview:
    """What one evaluation asked for; `tick` and `run_ids` only when it was launched."""

    sensor: str
    evaluation: Evaluation
    requests: list[dict[str, Any]]
    tick: Tick | None = None
    run_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "sensor": self.sensor,
            "requests": self.requests,
            "skip_reason": ev.skip_reason,
            "error": ev.error,
            "cursor": ev.cursor if ev.cursor_updated else None,
            "launched": self.tick is not None,
            "tick_status": self.tick.status if self.tick else None,
            "run_ids": self.run_ids,
        }


def evaluate_sensor_now(
    instance: Instance,
    loaded: Loaded,
    name: str,
    *,
    launcher: Launcher | None = None,
    launch: bool = False,
    timeout: float = DEFAULT_EVALUATION_TIMEOUT,
    now: float | None = None,
) -> SensorTickPreview:
    """Evaluate one sensor once, whether it is running or not. Without `launch` nothing is written
    (a dry run: run keys used before are not checked). With `launch`, the tick, cursor and runs are
    committed exactly as the daemon would (runs are left QUEUED; drain with the launcher)."""
    sensor = find_instigator(loaded.defs, name, "sensor")
    assert isinstance(sensor, SensorDefinition)
    store = instance.store
    now = time.time() if now is None else now
    state = store.get_instigator(name)
    cursor = state.cursor if state else None
    if sensor.kind == "file":
        pattern = resolve_pattern(sensor, loaded.location)
        tracker = StabilityTracker()

        def fn() -> Evaluation:
            return evaluate_file_sensor(sensor, pattern, cursor, tracker)
    elif sensor.kind == "asset":

        def fn() -> Evaluation:
            return evaluate_asset_sensor(sensor, cursor, store, state.started_at if state else now)
    elif isinstance(sensor, RunStatusSensorDefinition):
        run_status_sensor = sensor

        def fn() -> Evaluation:
            started_at = state.started_at if state else now
            return evaluate_run_status_sensor(run_status_sensor, cursor, store, started_at, dry_run=not launch)
    else:
        last = store.list_ticks(name, limit=1)
        context = SensorEvaluationContext(name, cursor, last[0].timestamp if last else None, store, StepInstance(instance))

        def fn() -> Evaluation:
            return evaluate_custom_sensor(sensor, context)

    thread = EvaluationThread(name, fn, timeout, lambda: None)
    evaluation = thread.wait(timeout) or Evaluation(error=timeout_error(name, timeout))
    preview = SensorTickPreview(name, evaluation, [describe_request(loaded, r, sensor.job_name) for r in evaluation.requests])
    if not launch:
        return preview
    if launcher is None:
        raise ValueError("launch=True needs a launcher")
    if evaluation.dynamic_partitions_requests:
        apply_dynamic_partitions_requests(store, evaluation.dynamic_partitions_requests)
    result = record_tick(
        store,
        launcher,
        loaded,
        name=name,
        kind="sensor",
        evaluation=evaluation,
        now=now,
        trigger=f"sensor:{name}",
        job_name=sensor.job_name,
        cursor=evaluation.cursor if evaluation.cursor_updated else cursor,
        failure_cursor=evaluation.cursor
        if isinstance(sensor, RunStatusSensorDefinition) and evaluation.cursor_updated
        else cursor,
        run_key=lambda _i, r: r.run_key,
        extra_tags=lambda _r: {"dagdeck/sensor": name},
    )
    preview.tick, preview.run_ids = result.tick, result.run_ids
    return preview
