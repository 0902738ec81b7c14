"""Evaluating sensors (custom and asset sensors; file sensors are in `file_sensor`), and what any
evaluation's run requests become as launch specs. Recording the tick and creating its runs is
`tick_records`.

User code runs in a worker thread (`EvaluationThread`) so a slow or hanging sensor costs only its own
tick, never the loop.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.run_requests import SensorResult
from dagdeck.core.defs.sensors import RunRequest, SensorDefinition, SkipReason
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.events import EventType
from dagdeck.core.running.launcher import LaunchSpec, assets_spec, checks_spec, job_spec
from dagdeck.core.running.plan import ExecutionPlan
from dagdeck.core.running.run_config import step_configs
from dagdeck.store import Store

FILE_TAG = "dagdeck/file"
"""Tag carrying the path a file sensor launched a run for."""
DEFAULT_EVALUATION_TIMEOUT = 60.0


@dataclass
class Evaluation:
    """What one evaluation asked for. `cursor` is meaningful only when `cursor_updated`."""

    requests: list[RunRequest] = field(default_factory=list)
    skip_reason: str | None = None
    error: str | None = None
    cursor: str | None = None
    cursor_updated: bool = False
    retry_after: float | None = None
    """Seconds after which to look again although nothing changed (files still being written)."""
    dynamic_partitions_requests: list[Any] = field(default_factory=list)
    """`SensorResult(dynamic_partitions_requests=)`: keys to add or delete before runs launch."""


def apply_dynamic_partitions_requests(store: Any, requests: list[Any]) -> None:
    """Add or delete the dynamic partition keys a sensor asked for, in order (Dagster applies them
    before launching the tick's runs, so those runs may target the new keys)."""
    from dagdeck.core.defs.partitions.requests import DeleteDynamicPartitionsRequest

    for request in requests:
        if isinstance(request, DeleteDynamicPartitionsRequest):
            for key in request.partition_keys:
                store.delete_dynamic_partition(request.partitions_def_name, key)
        else:
            store.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))


def normalize_result(result: Any) -> Evaluation:
    """Accept what Dagster sensors return: None, a RunRequest, a SkipReason, or an iterable
    (list or generator) of them. Generators are consumed here, i.e. in the evaluating thread."""
    if result is None:
        return Evaluation()
    if isinstance(result, RunRequest):
        return Evaluation(requests=[result])
    if isinstance(result, SensorResult):
        skip = None if result.run_requests else (str(result.skip_reason) if result.skip_reason else None)
        cursor_set = result.cursor is not None
        return Evaluation(
            requests=list(result.run_requests or []),
            skip_reason=skip,
            cursor=result.cursor,
            cursor_updated=cursor_set,
            dynamic_partitions_requests=list(result.dynamic_partitions_requests or []),
        )
    if isinstance(result, SkipReason):
        return Evaluation(skip_reason=result.skip_message or "skipped")
    if isinstance(result, str | bytes | Mapping) or not isinstance(result, Iterable):
        raise TypeError(f"expected RunRequest, SkipReason or a list of them, got {type(result).__name__}")
    ev = Evaluation()
    for item in result:
        if isinstance(item, RunRequest):
            ev.requests.append(item)
        elif isinstance(item, SkipReason):
            ev.skip_reason = item.skip_message or "skipped"
        elif item is not None:
            raise TypeError(f"expected RunRequest or SkipReason, got {type(item).__name__}")
    return ev


# -- contexts and evaluation ------------------------------------------------------------------------


class SensorEvaluationContext:
    """What a `@sensor` function receives: the persisted cursor and a way to move it."""

    def __init__(
        self,
        sensor_name: str,
        cursor: str | None,
        last_tick_at: float | None = None,
        store: Store | None = None,
        instance: Any = None,
    ) -> None:
        self.sensor_name = sensor_name
        self.cursor = cursor
        self.last_tick_at = last_tick_at
        self.store = store
        self.instance = instance
        """The instance's read side (`get_latest_materialization_event`, `get_event_records`...)."""
        self.cursor_updated = False

    def update_cursor(self, cursor: str | None) -> None:
        self.cursor = cursor
        self.cursor_updated = True


def evaluate_custom_sensor(sensor: SensorDefinition, context: SensorEvaluationContext) -> Evaluation:
    assert sensor.fn is not None
    try:
        takes_context = bool(inspect.signature(sensor.fn).parameters)
        ev = normalize_result(sensor.fn(context) if takes_context else sensor.fn())
    except Exception:  # noqa: BLE001 - user code: any error becomes a failed tick
        return Evaluation(error=traceback.format_exc())
    if not ev.cursor_updated:  # a SensorResult(cursor=...) sets it; else context.update_cursor did
        ev.cursor, ev.cursor_updated = context.cursor, context.cursor_updated
    return ev


def evaluate_asset_sensor(
    sensor: SensorDefinition, cursor: str | None, store: Store, started_at: float | None
) -> Evaluation:
    """One run request per materialization newer than the cursor (an event id). Without a cursor,
    "new" means since the sensor was started, so turning it on does not replay history."""
    assert sensor.asset_key is not None
    key = sensor.asset_key.to_user_string()
    if cursor:
        events = store.get_events(
            after_id=int(cursor), event_types=[str(EventType.ASSET_MATERIALIZATION)], asset_key=key, limit=100
        )
    else:
        recent = store.materialization_history(key, limit=100)
        events = sorted((e for e in recent if started_at is None or e.timestamp >= started_at), key=lambda e: e.id)
        if not events:
            return Evaluation(
                skip_reason=f"no new materializations of {key}",
                cursor=str(recent[0].id) if recent else "0",
                cursor_updated=True,
            )
    if not events:
        return Evaluation(skip_reason=f"no new materializations of {key}")
    if sensor.fn is not None:
        return _call_asset_sensor_fn(sensor, events[-1], cursor, store)
    requests = [
        RunRequest(
            run_key=f"{key}:{e.id}",
            tags={"dagdeck/asset_key": key, "dagdeck/asset_event_id": str(e.id), "dagdeck/upstream_run": e.run_id or ""},
        )
        for e in events
    ]
    return Evaluation(requests=requests, cursor=str(events[-1].id), cursor_updated=True)


@dataclass(frozen=True)
class AssetEventEntry:
    """The `asset_event` an `@asset_sensor` function receives: Dagster's EventLogEntry, with the
    fields its examples read (`dagster_event.asset_key`, `asset_materialization.metadata`, ...)."""

    run_id: str | None
    timestamp: float
    storage_id: int
    dagster_event: Any
    asset_materialization: Any


def _call_asset_sensor_fn(sensor: SensorDefinition, event: Any, cursor: str | None, store: Store) -> Evaluation:
    """Dagster's asset sensor: the function sees the newest materialization after the cursor,
    whatever it returns is the tick's result, and the cursor moves to that materialization."""
    assert sensor.fn is not None and sensor.asset_key is not None
    data = event.data or {}
    materialization = SimpleNamespace(asset_key=sensor.asset_key, metadata=dict(data.get("metadata") or {}))
    entry = AssetEventEntry(
        run_id=event.run_id,
        timestamp=event.timestamp,
        storage_id=event.id,
        dagster_event=SimpleNamespace(
            asset_key=sensor.asset_key,
            event_type_value=str(EventType.ASSET_MATERIALIZATION),
            step_key=event.step_key,
            asset_materialization=materialization,
        ),
        asset_materialization=materialization,
    )
    context = SensorEvaluationContext(sensor.name, cursor, None, store)
    try:
        arity = len(inspect.signature(sensor.fn).parameters)
        ev = normalize_result(sensor.fn(*(context, entry)[:arity]))
    except Exception:  # noqa: BLE001 - user code: any error becomes a failed tick
        return Evaluation(error=traceback.format_exc())
    ev.cursor, ev.cursor_updated = str(event.id), True
    return ev


class EvaluationThread:
    """One evaluation in a daemon thread; the loop polls it and gives up after `timeout` seconds
    (the thread cannot be killed, so the caller must not start another one while it lives)."""

    def __init__(self, name: str, fn: Callable[[], Evaluation], timeout: float, on_done: Callable[[], None]) -> None:
        self.name = name
        self.timeout = timeout
        self.started = time.monotonic()
        self.result: Evaluation | None = None
        self.done = threading.Event()
        self._fn = fn
        self._on_done = on_done
        self.thread = threading.Thread(target=self._run, name=f"dagdeck-eval-{name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException:  # noqa: BLE001 - report, never kill the daemon
            self.result = Evaluation(error=traceback.format_exc())
        finally:
            self.done.set()
            self._on_done()

    @property
    def deadline(self) -> float:
        return self.started + self.timeout

    def timed_out(self) -> bool:
        return not self.done.is_set() and time.monotonic() > self.deadline

    def wait(self, timeout: float) -> Evaluation | None:
        self.done.wait(timeout)
        return self.result if self.done.is_set() else None


def timeout_error(name: str, timeout: float) -> str:
    return (
        f"sensor {name} did not finish within its {timeout:g} s evaluation timeout; the tick failed and "
        "the sensor is not evaluated again until that call returns"
    )


# -- launching --------------------------------------------------------------------------------------


def build_spec(
    loaded: Loaded, request: RunRequest, job_name: str | None, trigger: str, tags: Mapping[str, str]
) -> tuple[LaunchSpec, ExecutionPlan]:
    """A RunRequest as a LaunchSpec, built the way `dagdeck job run` builds one. A file sensor's
    path also goes into the run config of every step whose config has a `path` field."""
    defs = loaded.defs
    name = request.job_name or job_name
    run_tags = {**request.tags, **tags}
    if request.asset_check_keys and request.asset_selection is None:
        steps = _check_steps(defs, request.asset_check_keys)
        return checks_spec(defs, loaded.location, steps, trigger=trigger, tags=run_tags)
    if request.asset_selection is not None:
        keys = [AssetKey.from_coercible(k) for k in request.asset_selection]
        unknown = [k.to_user_string() for k in keys if k not in defs.asset_graph.assets]
        if unknown:
            raise DagdeckError(f"run request selects unknown asset {unknown[0]!r}")
        asset_job = defs.asset_jobs.get(name or "")
        spec, plan = assets_spec(
            defs,
            loaded.location,
            keys,
            run_config=request.run_config,
            tags={**(asset_job.tags if asset_job else {}), **run_tags},
            trigger=trigger,
        )
        if asset_job is not None:  # a selection inside a named asset job still runs as that job
            spec.job_name = plan.job_name = asset_job.name
    else:
        if name is None or not defs.has_job(name):
            hint = did_you_mean(name or "", defs.job_names) if name else None
            raise DagdeckError(f"run request targets unknown job {name!r}" + (f"; {hint}" if hint else ""))
        run_config = request.run_config
        if not run_config and request.partition_key is not None and name in defs.op_jobs:
            run_config = defs.op_jobs[name].run_config_for_partition(request.partition_key)  # Dagster's
        spec, plan = job_spec(defs, loaded.location, name, run_config=run_config, tags=run_tags, trigger=trigger)
    path = request.tags.get(FILE_TAG)
    if path:
        spec.run_config = with_path_config(plan, spec.run_config, path)
    step_configs(plan, spec.run_config)  # a bad config fails the tick, not the run
    return spec, plan


def _check_steps(defs: Definitions, check_keys: list[Any]) -> list[str]:
    """The steps evaluating these `AssetCheckKey`s (a multi-asset check's step evaluates several)."""
    by_key = {c.key: c.step_key for c in defs.asset_checks}
    steps: list[str] = []
    for key in check_keys:
        if key not in by_key:
            name = key.to_user_string() if hasattr(key, "to_user_string") else str(key)
            raise DagdeckError(f"run request names unknown asset check {name!r}; see `dagdeck checks list`")
        steps.append(by_key[key])
    return steps


def with_path_config(plan: ExecutionPlan, run_config: dict[str, Any], path: str) -> dict[str, Any]:
    """Set `ops.<step>.config.path` for steps whose config model has a `path` field."""
    for step in plan.steps.values():
        ctype = step.params.config_type
        if ctype is None or "path" not in ctype.model_fields:
            continue
        ops = run_config.setdefault("ops", {})
        entry = ops.setdefault(step.key, {})
        entry.setdefault("config", {})["path"] = path
    return run_config


def describe_request(loaded: Loaded, request: RunRequest, job_name: str | None) -> dict[str, Any]:
    """A dry-run view of one request (what `dagdeck sensors tick` prints)."""
    out: dict[str, Any] = {
        "job": request.job_name or job_name,
        "run_key": request.run_key,
        "tags": dict(request.tags),
        "run_config": request.run_config,
    }
    try:
        spec, _ = build_spec(loaded, request, job_name, "preview", {})
        out["job"], out["run_config"], out["tags"] = spec.job_name, spec.run_config, spec.tags
    except DagdeckError as err:
        out["error"] = str(err)
    return out
