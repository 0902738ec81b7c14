"""Steps as threads in the worker process; independent steps run concurrently."""

from __future__ import annotations

import os
import queue
from concurrent.futures import Future, ThreadPoolExecutor

from dagdeck.core.running.execute_step import execute_step
from dagdeck.core.running.executors.scheduler import ExecutionResult, schedule
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.run_env import RunEnv
from dagdeck.core.statuses import StepStatus


def execute_in_process(
    plan: ExecutionPlan, env: RunEnv, max_concurrent: int | None = None, grace_seconds: float = 10.0
) -> ExecutionResult:
    """The scheduler hands the pool only as many steps as it has threads, and finished ones report
    through a queue, so each step costs O(1) however wide the graph is."""
    runner = _ThreadRunner(env, max_concurrent or min(32, (os.cpu_count() or 2) + 4))
    try:
        return schedule(plan, env, runner, grace_seconds)
    finally:
        runner.close()


class _ThreadRunner:
    """Steps on a thread pool; a thread cannot be stopped, so a cancel only sets the run's flag."""

    def __init__(self, env: RunEnv, workers: int) -> None:
        self.limit: int | None = workers
        self._env = env
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dagdeck-step")
        self._done: queue.Queue[tuple[str, Future[StepStatus]]] = queue.Queue()
        self._running = 0

    def start(self, step: Step) -> None:
        fut = self._pool.submit(execute_step, step, self._env)
        self._running += 1
        fut.add_done_callback(lambda f, k=step.key: self._done.put((k, f)))

    def finished(self, timeout: float) -> list[tuple[str, StepStatus | None]]:
        try:
            key, fut = self._done.get(timeout=timeout)
        except queue.Empty:
            return []
        out = [(key, _outcome(fut))]
        while True:
            try:
                key, fut = self._done.get_nowait()
            except queue.Empty:
                break
            out.append((key, _outcome(fut)))
        self._running -= len(out)
        return out

    def interrupt(self) -> None:
        """Steps see the run's cancel flag (`context.is_canceled()`); nothing more can reach a thread."""

    def abandon(self, keys: list[str]) -> list[str]:
        return keys

    def close(self) -> None:
        # steps that hang in user code are left to the worker process, which exits without them
        self._pool.shutdown(wait=self._running == 0, cancel_futures=True)


def _outcome(fut: Future[StepStatus]) -> StepStatus:
    try:
        return fut.result()
    except BaseException:  # noqa: BLE001 - execute_step records its own failures
        return StepStatus.FAILED
