"""Evaluating sensors and turning any evaluation (sensor or schedule) into a recorded tick and runs.

The order of writes is what makes restarts safe. One store transaction (`Store.commit_tick`) writes
the tick, the new cursor and the claims on every run key; only the run keys that transaction newly
claimed are launched afterwards. So a key launches at most once per instigator, ever, whichever
daemon or restart gets there first; a cursor never moves without its tick. A process killed in the
milliseconds between that commit and the run submission leaves the tick in STARTED, which the next
leader marks FAILURE with an explanation rather than hiding it.

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
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.defs.sensors import RunRequest, SensorDefinition, SkipReason
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.events import EventType
from dagdeck.core.running.launcher import Launcher, LaunchSpec, assets_spec, job_spec
from dagdeck.core.running.plan import ExecutionPlan, step_configs
from dagdeck.core.statuses import TickStatus
from dagdeck.store import Store, Tick

FILE_TAG = "dagdeck/file"
"""Tag carrying the path a file sensor launched a run for."""
RUN_KEY_TAG = "dagdeck/run_key"
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


def normalize_result(result: Any) -> Evaluation:
    """Accept what Dagster sensors return: None, a RunRequest, a SkipReason, or an iterable
    (list or generator) of them. Generators are consumed here, i.e. in the evaluating thread."""
    if result is None:
        return Evaluation()
    if isinstance(result, RunRequest):
        return Evaluation(requests=[result])
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
        self, sensor_name: str, cursor: str | None, last_tick_at: float | None = None, store: Store | None = None
    ) -> None:
        self.sensor_name = sensor_name
        self.cursor = cursor
        self.last_tick_at = last_tick_at
        self.store = store
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
    requests = [
        RunRequest(
            run_key=f"{key}:{e.id}",
            tags={"dagdeck/asset_key": key, "dagdeck/asset_event_id": str(e.id), "dagdeck/upstream_run": e.run_id or ""},
        )
        for e in events
    ]
    return Evaluation(requests=requests, cursor=str(events[-1].id), cursor_updated=True)


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
        spec, plan = job_spec(defs, loaded.location, name, run_config=request.run_config, tags=run_tags, trigger=trigger)
    path = request.tags.get(FILE_TAG)
    if path:
        spec.run_config = with_path_config(plan, spec.run_config, path)
    step_configs(plan, spec.run_config)  # a bad config fails the tick, not the run
    return spec, plan


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


@dataclass
class TickResult:
    tick: Tick
    run_ids: list[str]
    duplicate_keys: list[str] = field(default_factory=list)


def record_tick(
    store: Store,
    launcher: Launcher,
    loaded: Loaded,
    *,
    name: str,
    kind: str,
    evaluation: Evaluation,
    now: float,
    trigger: str,
    job_name: str | None,
    cursor: str | None,
    failure_cursor: str | None,
    run_key: Callable[[int, RunRequest], str | None],
    extra_tags: Callable[[RunRequest], dict[str, str]] = lambda _r: {},
    scheduled_at: float | None = None,
    collapse_skips: bool = False,
) -> TickResult:
    """Record one evaluation as a tick and launch its runs (QUEUED; the caller drains the queue).

    `cursor` is written with a SUCCESS/SKIPPED tick, `failure_cursor` with a FAILURE one. Requests
    are de-duplicated by run key within the evaluation, then against every key ever used."""

    def tick(status: TickStatus, **kw: Any) -> Tick:
        return Tick(instigator_name=name, kind=kind, scheduled_at=scheduled_at, timestamp=now, status=status, **kw)

    if evaluation.error is not None:
        t = tick(TickStatus.FAILURE, error=evaluation.error, cursor=failure_cursor)
        store.commit_tick(t, failure_cursor, name, [])
        return TickResult(t, [])

    keyed: list[tuple[str | None, RunRequest]] = []
    seen: set[str] = set()
    for i, request in enumerate(evaluation.requests):
        key = run_key(i, request)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        keyed.append((key, request))

    if not keyed:
        reason = evaluation.skip_reason or "no run requests"
        if collapse_skips and _refresh_repeated_skip(store, name, reason, cursor, now):
            return TickResult(tick(TickStatus.SKIPPED, skip_reason=reason, cursor=cursor), [])
        t = tick(TickStatus.SKIPPED, skip_reason=reason, cursor=cursor)
        store.commit_tick(t, cursor, name, [])
        return TickResult(t, [])

    specs: list[tuple[str | None, LaunchSpec]] = []
    try:
        for key, request in keyed:
            tags = {**extra_tags(request), **({RUN_KEY_TAG: key} if key else {})}
            spec, _plan = build_spec(loaded, request, job_name, trigger, tags)
            specs.append((key, spec))
    except DagdeckError as err:
        t = tick(TickStatus.FAILURE, error=f"cannot launch: {err}", cursor=failure_cursor)
        store.commit_tick(t, failure_cursor, name, [])
        return TickResult(t, [])

    t = tick(TickStatus.STARTED, cursor=cursor)
    # keys are claimed before the runs exist (claim first, launch second), so RunKey.run_id stays
    # empty; the tick's run_ids say which runs the keys became
    claims = [(key, "") for key, _ in specs if key is not None]
    new_keys = set(store.commit_tick(t, cursor, name, claims))
    assert t.id is not None
    duplicates = [key for key, _ in specs if key is not None and key not in new_keys]
    run_ids: list[str] = []
    try:
        for key, spec in specs:
            if key is None or key in new_keys:
                run_ids.append(launcher.submit(spec, start=False).run_id)
    except Exception as err:
        store.update_tick(t.id, status=TickStatus.FAILURE, run_ids=run_ids, error=f"launch failed: {err}")
        raise
    if run_ids:
        skip = f"{len(duplicates)} run key(s) already used" if duplicates else None
        store.update_tick(t.id, status=TickStatus.SUCCESS, run_ids=run_ids, skip_reason=skip)
        t.status, t.skip_reason = TickStatus.SUCCESS, skip
    else:
        skip = "run key already used: " + ", ".join(duplicates[:3]) + (" ..." if len(duplicates) > 3 else "")
        store.update_tick(t.id, status=TickStatus.SKIPPED, skip_reason=skip)
        t.status, t.skip_reason = TickStatus.SKIPPED, skip
    t.run_ids = run_ids
    return TickResult(t, run_ids, duplicates)


def _refresh_repeated_skip(store: Store, name: str, reason: str, cursor: str | None, now: float) -> bool:
    """A sensor that keeps skipping for the same reason updates its last tick instead of adding
    thousands of identical rows (a file sensor checks every second)."""
    last = store.list_ticks(name, limit=1)
    if not last or last[0].status != TickStatus.SKIPPED or last[0].skip_reason != reason or last[0].cursor != cursor:
        return False
    state = store.get_instigator(name)
    if state is None or state.cursor != cursor:
        return False
    assert last[0].id is not None
    store.update_tick(last[0].id, timestamp=now)
    return True


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


def fail_interrupted_ticks(store: Store, names: Iterable[str]) -> None:
    """A tick left STARTED means a daemon died between claiming its run keys and submitting the
    runs: say so on the tick instead of leaving it looking in progress (a new leader calls this)."""
    for name in names:
        for t in store.list_ticks(name, limit=3):
            if t.status == TickStatus.STARTED and t.id is not None:
                store.update_tick(
                    t.id,
                    status=TickStatus.FAILURE,
                    error="interrupted: the daemon stopped while launching this tick's runs; runs not "
                    "listed here were not launched (their run keys stay used)",
                )
