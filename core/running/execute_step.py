"""Run one step: load its inputs, call the user function, store outputs, record events, retry."""

from __future__ import annotations

import inspect
import time
import traceback
from typing import Any

from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.execute_check import execute_check
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv, StepCanceled, load_inputs, step_context
from dagdeck.core.running.step_logs import capture_thread
from dagdeck.core.running.step_outputs import split_outputs, store_outputs
from dagdeck.core.statuses import StepStatus


def execute_step(step: Step, env: RunEnv) -> StepStatus:
    """Run with retries; always ends with STEP_SUCCESS or STEP_FAILURE (or canceled), and returns
    SUCCEEDED, FAILED or CANCELED. Every executor runs steps, checks included, through this."""
    if step.kind == "check":
        return execute_check(step, env)
    attempt = 0
    while True:
        attempt += 1
        outcome, error = _attempt(step, env, attempt)
        if outcome is not None:
            return outcome
        assert error is not None
        policy = step.retry_policy
        if env.cancel_event.is_set():
            env.emit(_failure(step, env, error, attempt, canceled=True))
            return StepStatus.CANCELED
        if policy is not None and attempt <= policy.max_retries:
            wait = policy.wait_before(attempt)
            env.emit(
                make_event(
                    EventType.STEP_UP_FOR_RETRY,
                    env.run_id,
                    step_key=step.key,
                    asset_key=_akey(step),
                    message=f"attempt {attempt} failed; retrying in {wait:.1f}s: {error[0]}",
                    level="WARNING",
                    attempt=attempt,
                    error=error[0],
                    traceback=error[1],
                    wait_s=wait,
                )
            )
            if env.cancel_event.wait(wait):
                env.emit(_failure(step, env, error, attempt, canceled=True))
                return StepStatus.CANCELED
            continue
        env.emit(_failure(step, env, error, attempt))
        return StepStatus.FAILED


def _akey(step: Step) -> str | None:
    return step.asset_key.to_user_string() if step.asset_key else None


def _failure(
    step: Step, env: RunEnv, error: tuple[str, str], attempt: int, canceled: bool = False
) -> dict[str, Any]:
    message = "canceled" if canceled else error[0]
    return make_event(
        EventType.STEP_FAILURE,
        env.run_id,
        step_key=step.key,
        asset_key=_akey(step),
        message=message,
        level="ERROR",
        error=error[0],
        traceback=error[1],
        attempt=attempt,
        canceled=canceled,
    )


def _attempt(step: Step, env: RunEnv, attempt: int) -> tuple[StepStatus | None, tuple[str, str] | None]:
    started = time.time()
    env.emit(
        make_event(
            EventType.STEP_START,
            env.run_id,
            step_key=step.key,
            asset_key=_akey(step),
            message=f"started (attempt {attempt})" if attempt > 1 else "started",
            timestamp=started,
            attempt=attempt,
        )
    )
    ctx = step_context(step, env, attempt)
    try:
        kwargs = load_inputs(step, env)
        if step.params.config_type is not None:
            kwargs["config"] = env.configs.get(step.key) or step.params.config_type()
        args = (ctx,) if step.params.uses_context else ()
        if env.logs_dir is not None:
            with capture_thread(env.logs_dir, step.key, env.log_max_bytes):
                result = step.fn(*args, **kwargs)
                if inspect.isgenerator(result):
                    result = tuple(result)
        else:
            result = step.fn(*args, **kwargs)
            if inspect.isgenerator(result):
                result = tuple(result)
        if env.cancel_event.is_set():
            # the run was canceled while this step ran: whatever it returned is not a result
            return None, ("canceled", "")
        outputs = split_outputs(step, result)
    except (Exception, StepCanceled) as err:
        if isinstance(err, StepCanceled):
            return None, ("canceled", "")
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return None, (f"{type(err).__name__}: {err}", tb)

    try:
        events = store_outputs(step, env, ctx, outputs)
    except Exception as err:
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return None, (f"storing output failed: {type(err).__name__}: {err}", tb)
    ended = time.time()
    events.append(
        make_event(
            EventType.STEP_SUCCESS,
            env.run_id,
            step_key=step.key,
            asset_key=_akey(step),
            message=f"succeeded in {ended - started:.3f}s",
            timestamp=ended,
            duration_s=ended - started,
            attempt=attempt,
        )
    )
    for e in events:
        env.emit(e)
    return StepStatus.SUCCEEDED, None
