"""Execute one run inside the current process: the body of a worker (and of fast tests).

A run whose events can no longer be recorded (full disk, database gone) ends FAILURE at once with
the reason: its steps are told to stop and the events still in memory go with the failure if they
fit (see ``event_sink`` for why it stops rather than waits).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.executors import ExecutorDef
from dagdeck.core.defs.io_managers import InMemoryIOManager, IOContext
from dagdeck.core.errors import DagdeckError
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.core.running.event_sink import EventSink, EventWriteError, log_safely
from dagdeck.core.running.executors.in_process import execute_in_process
from dagdeck.core.running.executors.multiprocess import execute_multiprocess
from dagdeck.core.running.executors.scheduler import ExecutionResult
from dagdeck.core.running.plan import ExecutionPlan
from dagdeck.core.running.run_env import RunEnv, run_env
from dagdeck.core.running.run_plan import build_run_plan
from dagdeck.core.running.run_status import mark_canceled, mark_failure, mark_success
from dagdeck.core.statuses import FINISHED, RunStatus
from dagdeck.store import Run, Store, StoreError

_log = logging.getLogger("dagdeck.runs")


def choose_executor(defs: Definitions, run: Run) -> ExecutorDef:
    job_exec = None
    if run.job_name in defs.asset_jobs:
        job_exec = defs.asset_jobs[run.job_name].executor
    elif run.job_name in defs.op_jobs:
        job_exec = defs.op_jobs[run.job_name].executor
    chosen = job_exec or defs.executor or ExecutorDef("in_process")
    if run.executor and run.executor != chosen.name:
        # `--executor NAME` overrides the name; the definitions' config (a scheduler address) stays
        # when it names the same executor.
        return ExecutorDef(run.executor)
    return chosen


@dataclass
class RunOutcome:
    status: RunStatus
    result: ExecutionResult | None
    reason: str = ""


def execute_run(
    instance: Instance,
    run: Run,
    defs: Definitions,
    cancel_event: threading.Event | None = None,
    sink: EventSink | None = None,
    step_errors: dict[str, BaseException] | None = None,
) -> RunOutcome:
    """Run every step of `run` (already STARTED) and record its final status. `step_errors`, when
    given, receives the exception of each failed step (in-process executor only)."""
    cancel_event = cancel_event or threading.Event()
    own_sink = sink is None
    sink = sink or EventSink(instance.store)
    sink.set_failure_handler(_end_run_on_write_failure(instance.store, run.run_id, sink, cancel_event))
    env = None
    try:
        try:
            plan = build_run_plan(defs, run)
            env = run_env(instance, run, defs, plan, sink.emit, cancel_event)
            env.step_errors = step_errors
        except DagdeckError as err:
            sink.flush()
            mark_failure(instance.store, run.run_id, str(err))
            return RunOutcome(RunStatus.FAILURE, None, str(err))
        executor = choose_executor(defs, run)
        grace = instance.settings.cancel_grace_seconds
        if executor.name == "multiprocess":
            url = instance.store.url

            def sink_factory() -> EventSink:
                """A step process's own sink: if it cannot write, that process ends the run."""
                from dagdeck.store import Store

                child = EventSink(Store(url))
                child.set_failure_handler(
                    _end_run_on_write_failure(child.store, run.run_id, child, env.cancel_event)
                )
                return child

            result = execute_multiprocess(plan, env, sink_factory, executor.max_concurrent, grace)
        elif executor.name == "in_process":
            result = execute_in_process(plan, env, executor.max_concurrent, grace)
        elif executor.name == "dask":
            from dagdeck.core.running.executors.dask import (  # Dask only when used
                DaskLaunchError,
                execute_dask,
            )

            try:
                result = execute_dask(
                    plan,
                    env,
                    store_url=instance.store.url,
                    home=instance.home,
                    location=run.location or {},
                    config=executor.config,
                    grace_seconds=grace,
                )
            except DaskLaunchError as err:
                sink.flush()
                mark_failure(instance.store, run.run_id, str(err))
                return RunOutcome(RunStatus.FAILURE, None, str(err))
        else:
            reason = f"executor {executor.name!r} is not available in this installation"
            sink.flush()
            mark_failure(instance.store, run.run_id, reason)
            return RunOutcome(RunStatus.FAILURE, None, reason)
        sink.flush()
        if sink.failure is not None:
            return _failed_writing(instance.store, run.run_id, sink, result)
        outcome = _finish(instance, run.run_id, result, cancel_event.is_set())
        if outcome.status == RunStatus.SUCCESS:
            _drop_transient_values(plan, env, sink, defs)
        return outcome
    finally:
        if env is not None and env.run_resources is not None:
            env.run_resources.teardown()  # resources end with their run, whatever its outcome
        if own_sink:
            sink.close()
        for manager in defs.resources.values():
            if isinstance(manager, InMemoryIOManager):
                manager.forget_run(run.run_id)


def _end_run_on_write_failure(
    store: Store, run_id: str, sink: EventSink, cancel_event: threading.Event
) -> Callable[[EventWriteError], None]:
    """The sink's failure handler: stop the steps and record the run's end now, so the CLI and the
    run's slot never wait on a writer that cannot write."""

    def handler(failure: EventWriteError) -> None:
        cancel_event.set()
        _record_write_failure(store, run_id, sink, failure)

    return handler


def _record_write_failure(store: Store, run_id: str, sink: EventSink, failure: EventWriteError) -> bool:
    """End the run FAILURE with the reason and, if they fit, the events held in memory.

    On a full disk the store spends its reserve on this write; if the held events do not fit even
    so, the failure is recorded without them and says how many were lost.
    """
    held = [e for e in sink.take_held() if e.get("run_id") == run_id]
    try:
        return mark_failure(store, run_id, failure.reason, events=held)
    except StoreError as err:
        if not held:
            raise
        log_safely(
            logging.ERROR,
            "run %s: %d events held in memory could not be recorded: %s",
            run_id,
            len(held),
            err,
            logger=_log,
        )
    return mark_failure(store, run_id, f"{failure.reason} ({len(held)} events could not be recorded)")


def _failed_writing(store: Store, run_id: str, sink: EventSink, result: ExecutionResult) -> RunOutcome:
    """The outcome of a run whose writer stopped; records the failure if the handler could not."""
    failure = sink.failure
    assert failure is not None
    current = store.get_run(run_id)
    if current is not None and current.status == RunStatus.CANCELING:  # a cancel came first: honour it
        mark_canceled(store, run_id, message=f"run canceled; {failure.reason}")
        return RunOutcome(RunStatus.CANCELED, result, failure.reason)
    if current is not None and current.status not in FINISHED:
        _record_write_failure(store, run_id, sink, failure)
    late = [e for e in sink.take_held() if e.get("run_id") == run_id]  # steps that ended after the failure
    if late:
        try:
            store.append_events(late)
        except StoreError as err:
            log_safely(
                logging.ERROR,
                "run %s: %d step events could not be recorded: %s",
                run_id,
                len(late),
                err,
                logger=_log,
            )
    return RunOutcome(RunStatus.FAILURE, result, failure.reason)


def _drop_transient_values(
    plan: ExecutionPlan, env: RunEnv, sink: EventSink, defs: Definitions | None = None
) -> None:
    """Values marked transient only had to reach this run's downstream steps. After a failure they
    stay, so a re-execution from failure can load them; when that re-execution succeeds, the
    transient values it loaded from its failed parent go too (the pipeline has completed)."""
    drop: dict[AssetKey, tuple[str, str]] = {}
    for step in plan.steps.values():
        if step.transient and step.asset_key is not None:
            drop[step.asset_key] = (step.key, step.outputs.get("result", "io_manager"))
    if env.prior_run_ids and defs is not None:
        assets = defs.asset_graph.assets
        for step in plan.steps.values():
            if step.kind != "asset":
                continue
            for inp in step.inputs.values():
                for src in inp.sources:
                    a = assets.get(src.asset_key) if src.asset_key is not None else None
                    if not src.in_run and a is not None and a.transient:
                        drop.setdefault(src.asset_key, (src.step_key, src.io_manager_key))
    for asset_key, (step_key, manager_key) in drop.items():
        ctx = IOContext(env.storage_dir, env.run_id, step_key, "result", asset_key)
        try:
            env.io_manager(manager_key).delete(ctx)
        except Exception as err:  # noqa: BLE001 - leaving a file behind is not worth failing a run
            sink.emit(
                make_event(
                    EventType.ENGINE_EVENT,
                    env.run_id,
                    step_key=step_key,
                    level="WARNING",
                    message=f"could not remove transient value: {err}",
                )
            )
            continue
        sink.emit(
            make_event(
                EventType.ENGINE_EVENT,
                env.run_id,
                step_key=step_key,
                asset_key=asset_key.to_user_string(),
                message="removed transient value",
                transient_removed=True,
            )
        )
    sink.flush()


def _finish(instance: Instance, run_id: str, result: ExecutionResult, canceled: bool) -> RunOutcome:
    store = instance.store
    if canceled:
        mark_canceled(store, run_id)
        return RunOutcome(RunStatus.CANCELED, result)
    if result.failed:
        reason = f"{len(result.failed)} step(s) failed: {', '.join(result.failed[:5])}"
        if mark_failure(store, run_id, reason):
            return RunOutcome(RunStatus.FAILURE, result, reason)
    elif mark_success(store, run_id):
        return RunOutcome(RunStatus.SUCCESS, result)
    # a cancel arrived while the last steps finished: honour it
    current = store.get_run(run_id)
    if current is not None and current.status == RunStatus.CANCELING:
        mark_canceled(store, run_id)
        return RunOutcome(RunStatus.CANCELED, result)
    return RunOutcome(RunStatus(current.status) if current else RunStatus.FAILURE, result)
