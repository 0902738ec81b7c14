"""The Dask side of a dagdeck run: each task loads the run's code location once per worker process
(keeping a few runs), runs one step with it and writes the step's events through its own store
connection. Only names travel in a task (`TaskSpec`), so user resources never need to pickle."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagdeck.core.instance import Instance
from dagdeck.core.running.dynamic_steps import resolve_step
from dagdeck.core.running.execute_step import execute_step
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import run_env
from dagdeck.core.running.run_plan import build_run_plan
from dagdeck.core.settings import Settings

if TYPE_CHECKING:
    from dagdeck.core.running.event_sink import EventSink
    from dagdeck.store import Store

_WORKER_IDLE_SECONDS = 60.0
_WORKER_RUNS_KEPT = 8


@dataclass(frozen=True)
class TaskSpec:
    """What a Dask worker needs to run any step of one run; names only, so it pickles anywhere."""

    run_id: str
    store_url: str
    home: str
    log_max_bytes: int
    metadata_max_bytes: int

    @property
    def cancel_name(self) -> str:
        return f"dagdeck-cancel-{self.run_id}"


def run_step_task(spec: TaskSpec, step_key: str) -> str | None:
    """The Dask task: run one step in this worker with the run's loaded definitions. Returns the
    step's status word, or None when the run was canceled before the step started (it is skipped)."""
    run = _worker_run(spec)
    if run.env.cancel_event.is_set():
        return None
    with run.active():
        try:
            outcome = execute_step(run.step(step_key), run.env)
        finally:
            run.sink.flush()  # the step's events are in the store before the launcher hears of it
    return str(outcome)


class _WorkerRun:
    """One run as a worker process holds it: loaded plan, RunEnv and a cancel watcher."""

    def __init__(self, spec: TaskSpec, store: Store, sink: EventSink) -> None:
        # Imported here: execute_run imports this module only for Dask runs, and only workers load code.
        from distributed import Event, get_client

        from dagdeck.core.defs.loader import CodeLocation, load

        run = store.get_run(spec.run_id)
        if run is None:
            raise RuntimeError(f"run {spec.run_id} not found in {store.where}")
        defs = load(CodeLocation.from_dict(run.location or {})).defs
        settings = Settings(
            store_url=spec.store_url,
            step_log_max_bytes=spec.log_max_bytes,
            max_metadata_bytes=spec.metadata_max_bytes,
        )
        instance = Instance(Path(spec.home), store, settings)
        self.spec = spec
        self.sink = sink
        self.plan = build_run_plan(defs, run)
        self.env = run_env(instance, run, defs, self.plan, sink.emit, threading.Event(), keep_values=False)
        self._active = 0
        self._last_used = time.monotonic()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        event = Event(spec.cancel_name, client=get_client())
        if event.is_set():
            self.env.cancel_event.set()
        threading.Thread(target=self._watch, args=(event,), name="dagdeck-dask-cancel", daemon=True).start()

    def step(self, step_key: str) -> Step:
        """A step of the plan, or an instance `op[key]` of a mapped one (with its op's config)."""
        step = resolve_step(self.plan, step_key)
        if step.mapping_key is not None and step_key not in self.env.configs:
            config = self.env.configs.get(step.key.rpartition("[")[0])
            if config is not None:
                self.env.configs[step_key] = config
        return step

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        with self._lock:
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                self._last_used = time.monotonic()
                done = self._closed.is_set() and self._active == 0
            if done:
                self._teardown()

    def close(self) -> None:
        """The run is over here (ended, canceled, idle or evicted): tear its resources down now,
        or when its last running step here returns."""
        self._closed.set()
        with self._lock:
            idle = self._active == 0
        if idle:
            self._teardown()

    def _teardown(self) -> None:
        """`teardown_after_execution` / the generator's cleanup of the resources this worker set up
        for the run (once: `RunResources.teardown` empties its list)."""
        if self.env.run_resources is not None:
            self.env.run_resources.teardown()

    def _watch(self, event: Any) -> None:
        """Long-poll the run's Dask Event into ``cancel_event``; leave once it is set (cancel or run
        over) or the run has gone idle here (its launcher died)."""
        while not self._closed.is_set():
            try:
                if event.wait(timeout=1.0):
                    self.env.cancel_event.set()
                    _forget_run(self.spec.run_id, self)  # run over or canceled: resources go now
                    return
            except Exception:  # noqa: BLE001 - scheduler hiccup: keep watching
                time.sleep(1.0)
            with self._lock:
                idle = self._active == 0 and time.monotonic() - self._last_used > _WORKER_IDLE_SECONDS
            if idle:
                _forget_run(self.spec.run_id, self)
                return


_worker_lock = threading.Lock()
_worker_runs: OrderedDict[str, _WorkerRun] = OrderedDict()
_worker_stores: dict[str, tuple[Store, EventSink]] = {}


def _worker_run(spec: TaskSpec) -> _WorkerRun:
    """This process's copy of the run, loaded by the first of its steps to arrive here."""
    with _worker_lock:
        run = _worker_runs.get(spec.run_id)
        if run is not None:
            _worker_runs.move_to_end(spec.run_id)
            return run
        from dagdeck.core.running.event_sink import EventSink

        if spec.store_url not in _worker_stores:
            from dagdeck.store import Store

            store = Store(spec.store_url)
            _worker_stores[spec.store_url] = (store, EventSink(store))
        store, sink = _worker_stores[spec.store_url]
        if sink.failure is not None:
            # a writer that stopped (disk full, store gone) fails the steps of the runs it served;
            # a new run on this worker gets a new writer, which works again once the store does
            _worker_stores[spec.store_url] = (store, EventSink(store))
        run = _WorkerRun(spec, *_worker_stores[spec.store_url])
        _worker_runs[spec.run_id] = run
        while len(_worker_runs) > _WORKER_RUNS_KEPT:
            _, old = _worker_runs.popitem(last=False)
            old.close()
        return run


def _forget_run(run_id: str, run: _WorkerRun) -> None:
    with _worker_lock:
        if _worker_runs.get(run_id) is run:
            del _worker_runs[run_id]
    run.close()
