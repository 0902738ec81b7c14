"""Execute one run inside the current process: the body of a worker (and of fast tests)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.executors import ExecutorDef
from dagdeck.core.defs.io_managers import InMemoryIOManager, IOContext
from dagdeck.core.errors import DagdeckError
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.core.running.event_sink import EventSink
from dagdeck.core.running.executors.in_process import execute_in_process
from dagdeck.core.running.executors.multiprocess import execute_multiprocess
from dagdeck.core.running.executors.scheduler import ExecutionResult
from dagdeck.core.running.plan import ExecutionPlan, build_run_plan
from dagdeck.core.running.run_env import RunEnv, run_env
from dagdeck.core.running.run_status import mark_canceled, mark_failure, mark_success
from dagdeck.core.statuses import RunStatus
from dagdeck.store import Run


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
) -> RunOutcome:
    """Run every step of `run` (already STARTED) and record its final status."""
    cancel_event = cancel_event or threading.Event()
    own_sink = sink is None
    sink = sink or EventSink(instance.store)
    try:
        try:
            plan = build_run_plan(defs, run)
            env = run_env(instance, run, defs, plan, sink.emit, cancel_event)
        except DagdeckError as err:
            sink.flush()
            mark_failure(instance.store, run.run_id, str(err))
            return RunOutcome(RunStatus.FAILURE, None, str(err))
        executor = choose_executor(defs, run)
        grace = instance.settings.cancel_grace_seconds
        if executor.name == "multiprocess":
            url = instance.store.url

            def sink_factory() -> EventSink:
                from dagdeck.store import Store

                return EventSink(Store(url))

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
        outcome = _finish(instance, run.run_id, result, cancel_event.is_set())
        if outcome.status == RunStatus.SUCCESS:
            _drop_transient_values(plan, env, sink, defs)
        return outcome
    finally:
        if own_sink:
            sink.close()
        for manager in defs.resources.values():
            if isinstance(manager, InMemoryIOManager):
                manager.forget_run(run.run_id)


def _drop_transient_values(plan: ExecutionPlan, env: RunEnv, sink: EventSink, defs: Definitions | None = None) -> None:
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
            sink.emit(make_event(EventType.ENGINE_EVENT, env.run_id, step_key=step_key, level="WARNING",
                                 message=f"could not remove transient value: {err}"))
            continue
        sink.emit(make_event(EventType.ENGINE_EVENT, env.run_id, step_key=step_key,
                             asset_key=asset_key.to_user_string(), message="removed transient value",
                             transient_removed=True))
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
