"""Steps as threads in the worker process; independent steps run concurrently."""

from __future__ import annotations

import graphlib
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from core.executors.common import SKIPPED, ExecutionResult, emit_skip, finish_canceled, should_skip
from core.plan import ExecutionPlan
from core.step_execution import RunEnv, execute_step


def execute_in_process(
    plan: ExecutionPlan, env: RunEnv, max_concurrent: int | None = None, grace_seconds: float = 10.0
) -> ExecutionResult:
    result = ExecutionResult()
    sorter = graphlib.TopologicalSorter({k: s.upstream for k, s in plan.steps.items()})
    sorter.prepare()
    workers = max_concurrent or min(32, (os.cpu_count() or 2) + 4)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dagdeck-step")
    running: dict[Future, str] = {}
    try:
        while sorter.is_active() and not env.cancel_event.is_set():
            ready = sorter.get_ready()
            for key in ready:
                blocker = should_skip(plan, key, result)
                if blocker is not None:
                    emit_skip(env, plan, key, f"upstream step {blocker} did not succeed")
                    result.outcomes[key] = SKIPPED
                    sorter.done(key)
                else:
                    running[pool.submit(execute_step, plan.steps[key], env)] = key
            if ready and not running:
                continue  # skips may have released more steps
            if not running:
                break
            done, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in done:
                key = running.pop(fut)
                result.outcomes[key] = _outcome(fut)
                sorter.done(key)
        if env.cancel_event.is_set():
            deadline = time.monotonic() + grace_seconds
            while running and time.monotonic() < deadline:
                done, _ = wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
                for fut in done:
                    result.outcomes[running.pop(fut)] = _outcome(fut)
            result.hung = sorted(running.values())
            finish_canceled(env, plan, result)
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)
    return result


def _outcome(fut: Future) -> str:
    try:
        return str(fut.result())
    except BaseException:  # noqa: BLE001 - execute_step records its own failures
        return "failed"
