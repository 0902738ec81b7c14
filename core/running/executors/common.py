"""What every executor shares: the result shape and skip bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.execute_step import RunEnv, StepOutcome
from dagdeck.core.running.plan import ExecutionPlan, Step

SKIPPED = "skipped"


@dataclass
class ExecutionResult:
    outcomes: dict[str, str] = field(default_factory=dict)
    """Step key -> succeeded, failed, canceled or skipped."""
    hung: list[str] = field(default_factory=list)
    """Steps still running after the cancel grace period (their threads cannot be stopped)."""

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.outcomes.items() if v == StepOutcome.FAILED]


def should_skip(plan: ExecutionPlan, key: str, result: ExecutionResult) -> str | None:
    """The first upstream step that did not succeed, if any."""
    for up in sorted(plan.steps[key].upstream):
        if result.outcomes.get(up) != StepOutcome.SUCCEEDED:
            return up
    return None


def emit_skip(env: RunEnv, plan: ExecutionPlan, key: str, reason: str) -> None:
    step = plan.steps[key]
    env.emit(
        make_event(
            EventType.STEP_SKIPPED,
            env.run_id,
            step_key=key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message=reason,
        )
    )


def record_lost_step(env: RunEnv, step: Step, reason: str) -> str:
    """A step whose process or task ended without recording its own end: it failed, or it was
    canceled when its run is being canceled."""
    canceled = env.cancel_event.is_set()
    env.emit(
        make_event(
            EventType.STEP_FAILURE,
            env.run_id,
            step_key=step.key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message="canceled" if canceled else reason,
            level="ERROR",
            error=reason,
            canceled=canceled,
        )
    )
    return str(StepOutcome.CANCELED if canceled else StepOutcome.FAILED)


def finish_canceled(env: RunEnv, plan: ExecutionPlan, result: ExecutionResult) -> None:
    """Steps that never started are skipped; hung ones are recorded as canceled."""
    for key in result.hung:
        step = plan.steps[key]
        env.emit(
            make_event(
                EventType.STEP_FAILURE,
                env.run_id,
                step_key=key,
                asset_key=step.asset_key.to_user_string() if step.asset_key else None,
                message="canceled",
                level="ERROR",
                error="canceled",
                canceled=True,
            )
        )
        result.outcomes[key] = StepOutcome.CANCELED
    for key in plan.steps:
        if key not in result.outcomes:
            emit_skip(env, plan, key, "run canceled before this step started")
            result.outcomes[key] = SKIPPED
