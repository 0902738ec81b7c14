"""The one scheduling loop of every executor: which steps are ready, which are skipped, when a run
is done, and what a cancel does.

An executor supplies a `StepRunner`, which only knows how to start one step and how to hear that
steps finished (a thread pool, forked processes, Dask tasks); the loop around it is the same for all.
Steps are released by `graphlib.TopologicalSorter`: a step whose upstream did not all succeed is
skipped instead of started (a failed blocking check is an upstream of its asset's dependents).
"""

from __future__ import annotations

import graphlib
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.run_env import RunEnv
from dagdeck.core.statuses import StepStatus


@dataclass
class ExecutionResult:
    outcomes: dict[str, StepStatus] = field(default_factory=dict)
    """Step key -> succeeded, failed, canceled or skipped."""
    hung: list[str] = field(default_factory=list)
    """Steps still running after the cancel grace period (their threads cannot be stopped)."""

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.outcomes.items() if v == StepStatus.FAILED]


class StepRunner(Protocol):
    """How one executor runs steps; `schedule` decides which and when."""

    limit: int | None
    """At most this many steps at once (None: no limit)."""

    def start(self, step: Step) -> None:
        """Start `step`; it must be reported by `finished` once it is over."""

    def finished(self, timeout: float) -> list[tuple[str, StepStatus | None]]:
        """Steps over since the last call, waiting up to `timeout` for the first; a step whose
        runner never ran it (the run was canceled first) is reported with None."""

    def interrupt(self) -> None:
        """The run is canceled (running steps already see `context.is_canceled()`): push them to stop."""

    def abandon(self, keys: list[str]) -> list[str]:
        """The cancel grace period is over and `keys` still run: stop what can be stopped (those are
        reported by `finished` later) and return the keys that never will be."""


def schedule(plan: ExecutionPlan, env: RunEnv, runner: StepRunner, grace_seconds: float) -> ExecutionResult:
    """Run `plan` through `runner`; on cancel, stop starting steps, give running ones `grace_seconds`,
    record hung ones as canceled and never-started ones as skipped."""
    result = ExecutionResult()
    outcomes = result.outcomes
    sorter = graphlib.TopologicalSorter({k: s.upstream for k, s in plan.steps.items()})
    sorter.prepare()
    waiting: deque[str] = deque()
    running: set[str] = set()
    limit = runner.limit
    canceled = env.cancel_event

    def collect(timeout: float) -> None:
        for key, outcome in runner.finished(timeout):
            running.discard(key)
            if outcome is not None:
                outcomes[key] = outcome
            sorter.done(key)

    while sorter.is_active() and not canceled.is_set():
        for key in sorter.get_ready():
            blocker = _blocker(plan.steps[key], outcomes)
            if blocker is None:
                waiting.append(key)
            else:
                emit_skip(env, plan.steps[key], f"upstream step {blocker} did not succeed")
                outcomes[key] = StepStatus.SKIPPED
                sorter.done(key)
        while waiting and (limit is None or len(running) < limit) and not canceled.is_set():
            key = waiting.popleft()
            runner.start(plan.steps[key])
            running.add(key)
        if running:
            collect(0.25)
        # else: skips may have released more steps, which the next get_ready() returns
    if canceled.is_set():
        runner.interrupt()
        deadline = time.monotonic() + grace_seconds
        while running and time.monotonic() < deadline:
            collect(0.1)
        hung = set(runner.abandon(sorted(running))) if running else set()
        while running - hung:
            collect(1.0)
        result.hung = sorted(hung)
        _finish_canceled(env, plan, result)
    return result


def _blocker(step: Step, outcomes: dict[str, StepStatus]) -> str | None:
    """The first upstream step (alphabetically) that did not succeed, if any."""
    bad = [up for up in step.upstream if outcomes.get(up) != StepStatus.SUCCEEDED]
    return min(bad) if bad else None


def emit_skip(env: RunEnv, step: Step, reason: str) -> None:
    env.emit(
        make_event(
            EventType.STEP_SKIPPED,
            env.run_id,
            step_key=step.key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message=reason,
        )
    )


def record_lost_step(env: RunEnv, step: Step, reason: str) -> StepStatus:
    """A step whose process or task ended without recording its own end: it failed, or it was
    canceled when its run is being canceled."""
    canceled = env.cancel_event.is_set()
    _emit_failure(env, step, "canceled" if canceled else reason, reason, canceled)
    return StepStatus.CANCELED if canceled else StepStatus.FAILED


def _finish_canceled(env: RunEnv, plan: ExecutionPlan, result: ExecutionResult) -> None:
    """Steps that never started are skipped; hung ones are recorded as canceled."""
    for key in result.hung:
        _emit_failure(env, plan.steps[key], "canceled", "canceled", True)
        result.outcomes[key] = StepStatus.CANCELED
    for key, step in plan.steps.items():
        if key not in result.outcomes:
            emit_skip(env, step, "run canceled before this step started")
            result.outcomes[key] = StepStatus.SKIPPED


def _emit_failure(env: RunEnv, step: Step, message: str, error: str, canceled: bool) -> None:
    env.emit(
        make_event(
            EventType.STEP_FAILURE,
            env.run_id,
            step_key=step.key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message=message,
            level="ERROR",
            error=error,
            canceled=canceled,
        )
    )
