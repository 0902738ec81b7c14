"""Steps as threads in the worker process; independent steps run concurrently."""

from __future__ import annotations

import graphlib
import os
import queue
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from dagdeck.core.running.execute_step import RunEnv, execute_step
from dagdeck.core.running.executors.common import (
    SKIPPED,
    ExecutionResult,
    emit_skip,
    finish_canceled,
    should_skip,
)
from dagdeck.core.running.plan import ExecutionPlan


def execute_in_process(
    plan: ExecutionPlan, env: RunEnv, max_concurrent: int | None = None, grace_seconds: float = 10.0
) -> ExecutionResult:
    """Ready steps wait in a deque and only `workers` are handed to the pool at a time; finished
    ones report through a queue, so each step costs O(1) however wide the graph is."""
    result = ExecutionResult()
    sorter = graphlib.TopologicalSorter({k: s.upstream for k, s in plan.steps.items()})
    sorter.prepare()
    workers = max_concurrent or min(32, (os.cpu_count() or 2) + 4)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dagdeck-step")
    finished: queue.Queue[tuple[str, Future]] = queue.Queue()
    waiting: deque[str] = deque()
    running: dict[str, Future] = {}

    def collect(block: float | None) -> None:
        try:
            key, fut = finished.get(timeout=block) if block else finished.get_nowait()
        except queue.Empty:
            return
        while True:
            running.pop(key, None)
            result.outcomes[key] = _outcome(fut)
            sorter.done(key)
            try:
                key, fut = finished.get_nowait()
            except queue.Empty:
                return

    try:
        while sorter.is_active() and not env.cancel_event.is_set():
            for key in sorter.get_ready():
                blocker = should_skip(plan, key, result)
                if blocker is not None:
                    emit_skip(env, plan, key, f"upstream step {blocker} did not succeed")
                    result.outcomes[key] = SKIPPED
                    sorter.done(key)
                else:
                    waiting.append(key)
            while waiting and len(running) < workers:
                key = waiting.popleft()
                fut = pool.submit(execute_step, plan.steps[key], env)
                running[key] = fut
                fut.add_done_callback(lambda f, k=key: finished.put((k, f)))
            if not running:
                if waiting:
                    continue
                if not sorter.is_active():
                    break
                continue  # skips may have released more steps
            collect(0.25)
        if env.cancel_event.is_set():
            deadline = time.monotonic() + grace_seconds
            while running and time.monotonic() < deadline:
                collect(0.1)
            result.hung = sorted(running)
            finish_canceled(env, plan, result)
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)
    return result


def _outcome(fut: Future) -> str:
    try:
        return str(fut.result())
    except BaseException:  # noqa: BLE001 - execute_step records its own failures
        return "failed"
