"""One forked process per step, at most `max_concurrent` at once.

Step processes write their own events (a fresh store connection each) and pass values through the
IO manager. On cancel they get SIGTERM, which raises StepCanceled inside the step; the worker
SIGKILLs whatever is left after the grace period.
"""

from __future__ import annotations

import codecs
import contextlib
import graphlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

from dagdeck.core.defs.io_managers import InMemoryIOManager
from dagdeck.core.running.execute_step import RunEnv, StepCanceled, StepOutcome, execute_step
from dagdeck.core.running.executors.common import (
    SKIPPED,
    ExecutionResult,
    emit_skip,
    finish_canceled,
    record_lost_step,
    should_skip,
)
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.step_logs import CappedFile, step_log_path
from dagdeck.store import fork_guard

_EXIT = {0: StepOutcome.SUCCEEDED, 1: StepOutcome.FAILED, 2: StepOutcome.CANCELED}


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
    ctx = multiprocessing.get_context("fork")
    limit = max_concurrent or (os.cpu_count() or 2)
    result = ExecutionResult()
    sorter = graphlib.TopologicalSorter({k: s.upstream for k, s in plan.steps.items()})
    sorter.prepare()
    waiting: list[str] = []
    running: dict[int, tuple[str, BaseProcess]] = {}

    def reap(timeout: float) -> None:
        sentinels = [p.sentinel for _, p in running.values()]
        for sentinel in wait(sentinels, timeout=timeout):
            key, proc = running.pop(sentinel)  # type: ignore[arg-type]
            proc.join()
            result.outcomes[key] = _exit_outcome(env, plan.steps[key], proc.exitcode)
            sorter.done(key)

    while sorter.is_active() and not env.cancel_event.is_set():
        for key in sorter.get_ready():
            blocker = should_skip(plan, key, result)
            if blocker is not None:
                emit_skip(env, plan, key, f"upstream step {blocker} did not succeed")
                result.outcomes[key] = SKIPPED
                sorter.done(key)
            else:
                waiting.append(key)
        while waiting and len(running) < limit and not env.cancel_event.is_set():
            key = waiting.pop(0)
            proc = ctx.Process(target=_step_main, args=(plan.steps[key], env, sink_factory), name=f"step {key}")
            with fork_guard():
                proc.start()
            running[proc.sentinel] = (key, proc)
        if not running:
            if waiting or sorter.is_active():
                continue
            break
        reap(0.2)
    if env.cancel_event.is_set():
        for _, proc in running.values():
            _signal(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while running and time.monotonic() < deadline:
            reap(0.1)
        for _, proc in list(running.values()):
            _signal(proc, signal.SIGKILL)
        while running:
            reap(1.0)
        finish_canceled(env, plan, result)
    return result


def _signal(proc: BaseProcess, sig: int) -> None:
    if proc.pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, sig)


def _exit_outcome(env: RunEnv, step: Step, code: int | None) -> str:
    if code in _EXIT:
        return str(_EXIT[code])
    reason = f"step process exited with signal {-code}" if code is not None and code < 0 else f"exit code {code}"
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
        env.logs_dir.mkdir(parents=True, exist_ok=True)
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
            outcome = StepOutcome.CANCELED
        code = {StepOutcome.SUCCEEDED: 0, StepOutcome.FAILED: 1, StepOutcome.CANCELED: 2}[outcome]
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
