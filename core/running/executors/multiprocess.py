"""One forked process per step, at most `max_concurrent` at once.

Step processes write their own events (a fresh store connection each) and pass values through the
IO manager. On cancel they get SIGTERM, which raises StepCanceled inside the step; the worker
SIGKILLs whatever is left after the grace period.
"""

from __future__ import annotations

import codecs
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

from dagdeck.core.defs.io_managers import InMemoryIOManager, make_private_dirs
from dagdeck.core.running.execute_step import execute_step
from dagdeck.core.running.executors.scheduler import ExecutionResult, record_lost_step, schedule
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.run_env import RunEnv, StepCanceled
from dagdeck.core.running.step_logs import CappedFile, step_log_path
from dagdeck.core.statuses import StepStatus
from dagdeck.store import fork_guard

_EXIT = {0: StepStatus.SUCCEEDED, 1: StepStatus.FAILED, 2: StepStatus.CANCELED}
_CODE = {status: code for code, status in _EXIT.items()}


class MultiprocessUnsupported(Exception):
    pass


def check_multiprocess(plan: ExecutionPlan, env: RunEnv) -> None:
    for step in plan.steps.values():
        for out, key in step.outputs.items():
            if isinstance(env.resources.get(key), InMemoryIOManager):
                raise MultiprocessUnsupported(
                    f"step {step.key!r} stores output {out!r} with an in-memory IO manager, which step "
                    "processes cannot share; use the in_process executor or a filesystem IO manager"
                )


def execute_multiprocess(
    plan: ExecutionPlan,
    env: RunEnv,
    sink_factory: Callable[[], Any],
    max_concurrent: int | None = None,
    grace_seconds: float = 10.0,
) -> ExecutionResult:
    check_multiprocess(plan, env)
    runner = _ProcessRunner(env, sink_factory, max_concurrent or (os.cpu_count() or 2))
    return schedule(plan, env, runner, grace_seconds)


class _ProcessRunner:
    """Each step in a forked process; its exit code is its outcome, SIGTERM cancels, SIGKILL ends."""

    def __init__(self, env: RunEnv, sink_factory: Callable[[], Any], limit: int) -> None:
        self.limit: int | None = limit
        self._env = env
        self._sink_factory = sink_factory
        self._ctx = multiprocessing.get_context("fork")
        self._running: dict[int, tuple[Step, BaseProcess]] = {}  # sentinel -> step, process

    def start(self, step: Step) -> None:
        proc = self._ctx.Process(
            target=_step_main, args=(step, self._env, self._sink_factory), name=f"step {step.key}"
        )
        with fork_guard():
            proc.start()
        self._running[proc.sentinel] = (step, proc)

    def finished(self, timeout: float) -> list[tuple[str, StepStatus | None]]:
        out: list[tuple[str, StepStatus | None]] = []
        for sentinel in wait(list(self._running), timeout=timeout):
            step, proc = self._running.pop(sentinel)  # type: ignore[arg-type]
            proc.join()
            out.append((step.key, _exit_outcome(self._env, step, proc.exitcode)))
        return out

    def interrupt(self) -> None:
        for _, proc in self._running.values():
            _signal(proc, signal.SIGTERM)

    def abandon(self, keys: list[str]) -> list[str]:
        for _, proc in self._running.values():
            _signal(proc, signal.SIGKILL)
        return []  # killed processes are reaped and reported by finished()


def _signal(proc: BaseProcess, sig: int) -> None:
    if proc.pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, sig)


def _exit_outcome(env: RunEnv, step: Step, code: int | None) -> StepStatus:
    if code in _EXIT:
        return _EXIT[code]
    reason = (
        f"step process exited with signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    )
    return record_lost_step(env, step, reason)


def _step_main(step: Step, env: RunEnv, sink_factory: Callable[[], Any]) -> None:
    """Entry point of a forked step process."""
    cancel = env.cancel_event

    def on_term(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one interruption is enough
        cancel.set()
        raise StepCanceled()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pumps: list[tuple[threading.Thread, CappedFile]] = []
    if env.logs_dir is not None:
        make_private_dirs(env.logs_dir)
        for fd, stream in ((1, "stdout"), (2, "stderr")):
            # through a pipe into a size-capped file (children the step spawns write there too)
            capped = CappedFile(step_log_path(env.logs_dir, step.key, stream), env.log_max_bytes)
            pumps.append((_pump_fd(fd, capped), capped))
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    code = 1
    sink = None
    try:
        sink = sink_factory()
        local_env = replace(env, emit=sink.emit, values={}, keep_values=False, logs_dir=None)
        try:
            outcome = execute_step(step, local_env)
        except StepCanceled:
            outcome = StepStatus.CANCELED
        code = _CODE[outcome]
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sink.close()
    except BaseException as err:  # noqa: BLE001 - report, never hang the parent
        print(f"dagdeck step process error: {err!r}", file=sys.stderr)
        code = 2 if cancel.is_set() else 3
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        if pumps:
            os.close(1)
            os.close(2)
            for thread, capped in pumps:
                thread.join(timeout=1.0)  # a spawned child may still hold the pipe open
                capped.flush()
        os._exit(code)


def _pump_fd(fd: int, capped: CappedFile) -> threading.Thread:
    """Point `fd` at a pipe whose reader copies everything into `capped`."""
    read_end, write_end = os.pipe()
    os.dup2(write_end, fd)
    os.close(write_end)

    def pump() -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while chunk := os.read(read_end, 65536):
            capped.write(decoder.decode(chunk))
        capped.write(decoder.decode(b"", final=True))

    thread = threading.Thread(target=pump, name=f"dagdeck-log-{fd}", daemon=True)
    thread.start()
    return thread
