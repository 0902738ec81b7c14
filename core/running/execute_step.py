"""Run one step: load its inputs, call the user function, store outputs, record events, retry."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.metadata import normalize
from dagdeck.core.defs.results import MaterializeResult
from dagdeck.core.defs.retries import Failure, RetryRequested
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.execute_check import Found, check_result_events, execute_check, take_check_results
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv, StepCanceled, load_inputs, step_context
from dagdeck.core.running.run_hooks import run_hooks, skip_hooks
from dagdeck.core.running.step_call import call_step_fn
from dagdeck.core.running.step_logs import capture_thread
from dagdeck.core.running.step_outputs import split_outputs, store_outputs
from dagdeck.core.statuses import StepStatus


@dataclass
class _Failed:
    """A failed attempt: the error as recorded, and the exception when user code raised one."""

    error: str
    traceback: str
    exc: BaseException | None = None


def execute_step(step: Step, env: RunEnv) -> StepStatus:
    """Run with retries; always ends with STEP_SUCCESS or STEP_FAILURE (or canceled), and returns
    SUCCEEDED, FAILED or CANCELED. Every executor runs steps, checks included, through this.

    A failed attempt is retried when the function raised `RetryRequested` (up to its own
    `max_retries`, with or without a policy) or when the step has a retry policy, unless it raised
    `Failure(allow_retries=False)`. Hooks run once the outcome is final."""
    if step.kind == "check":
        return execute_check(step, env)
    attempt = 0
    while True:
        attempt += 1
        outcome, failed, outputs = _attempt(step, env, attempt)
        if outcome is not None:
            if step.hooks:
                run_hooks(step, env, True, output_values={n: o[0] for n, o in outputs.items() if o[2]})
            return outcome
        assert failed is not None
        if env.cancel_event.is_set():
            env.emit(_failure(step, env, failed, attempt, canceled=True))
            return StepStatus.CANCELED
        retry = _retry(step, failed, attempt)
        if retry is not None:
            wait = retry
            env.emit(
                make_event(
                    EventType.STEP_UP_FOR_RETRY,
                    env.run_id,
                    step_key=step.key,
                    asset_key=_akey(step),
                    message=f"attempt {attempt} failed; retrying in {wait:.1f}s: {failed.error}",
                    level="WARNING",
                    attempt=attempt,
                    error=failed.error,
                    traceback=failed.traceback,
                    wait_s=wait,
                )
            )
            if step.hooks:
                skip_hooks(step, env, "is up for retry")
            if env.cancel_event.wait(wait):
                env.emit(_failure(step, env, failed, attempt, canceled=True))
                return StepStatus.CANCELED
            continue
        if isinstance(failed.exc, RetryRequested):
            failed.error = f"{failed.error} (exceeded max_retries of {failed.exc.max_retries})"
        env.emit(_failure(step, env, failed, attempt))
        if env.step_errors is not None and failed.exc is not None:
            env.step_errors[step.key] = _user_exception(failed.exc) or failed.exc
        if step.hooks:
            run_hooks(step, env, False, exception=_user_exception(failed.exc))
        return StepStatus.FAILED


def _retry(step: Step, failed: _Failed, attempt: int) -> float | None:
    """Seconds to wait before another attempt, or None when the step has failed for good."""
    exc = failed.exc
    if isinstance(exc, RetryRequested):
        return float(exc.seconds_to_wait or 0.0) if attempt <= exc.max_retries else None
    policy = step.retry_policy
    if policy is None or attempt > policy.max_retries:
        return None
    if isinstance(exc, Failure) and not exc.allow_retries:
        return None
    return policy.wait_before(attempt)


def _user_exception(exc: BaseException | None) -> BaseException | None:
    """What failure hooks see as `op_exception`: the error behind a `RetryRequested`."""
    if isinstance(exc, RetryRequested) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def _describe(err: BaseException) -> str:
    """The step error recorded for an exception: `Type: message`; a `Failure` gives its
    description, a `RetryRequested` the error it was raised from."""
    if isinstance(err, Failure):
        return err.description or "Failure"
    if isinstance(err, RetryRequested):
        cause = err.__cause__
        return f"{type(cause).__name__}: {cause}" if cause is not None else "RetryRequested"
    return f"{type(err).__name__}: {err}"


def _akey(step: Step) -> str | None:
    return step.asset_key.to_user_string() if step.asset_key else None


def _members(step: Step) -> dict[str, Any]:
    """A multi-asset step's start and failure name the assets it runs for (the store marks each
    running or failed); other steps carry their one asset key instead."""
    if step.output_asset_keys is None or step.asset_key is not None:
        return {}
    return {"asset_keys": [k.to_user_string() for o, k in step.output_asset_keys.items() if o in step.outputs]}


def _failure(
    step: Step, env: RunEnv, failed: _Failed, attempt: int, canceled: bool = False
) -> dict[str, Any]:
    message = "canceled" if canceled else failed.error
    event = make_event(
        EventType.STEP_FAILURE,
        env.run_id,
        step_key=step.key,
        asset_key=_akey(step),
        message=message,
        level="ERROR",
        error=failed.error,
        traceback=failed.traceback,
        attempt=attempt,
        canceled=canceled,
        **_members(step),
    )
    if isinstance(failed.exc, Failure) and failed.exc.metadata and not canceled:
        event["data"]["metadata"] = normalize(failed.exc.metadata, env.metadata_max_bytes)
    return event


Outputs = dict[str, tuple[Any, dict[str, Any], bool]]
_NO_OUTPUTS: Outputs = {}


def _attempt(step: Step, env: RunEnv, attempt: int) -> tuple[StepStatus | None, _Failed | None, Outputs]:
    """One attempt: SUCCEEDED with its outputs, or the failure."""
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
            **_members(step),
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
                result = call_step_fn(step, ctx, args, kwargs)
        else:
            result = call_step_fn(step, ctx, args, kwargs)
        if env.cancel_event.is_set():
            # the run was canceled while this step ran: whatever it returned is not a result
            return None, _Failed("canceled", ""), _NO_OUTPUTS
        checks: Found = []
        if step.check_keys or (step.kind == "asset" and isinstance(result, tuple | MaterializeResult)):
            result, checks = take_check_results(step, result)  # its check_specs' results (or stray ones)
        outputs = split_outputs(step, result)
    except (Exception, StepCanceled) as err:
        if isinstance(err, StepCanceled):
            return None, _Failed("canceled", ""), _NO_OUTPUTS
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return None, _Failed(_describe(err), tb, err), _NO_OUTPUTS

    try:
        events = store_outputs(step, env, ctx, outputs)
    except Exception as err:
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return None, _Failed(f"storing output failed: {type(err).__name__}: {err}", tb, err), _NO_OUTPUTS
    if step.check_keys or checks:
        check_events, check_err = check_result_events(step, env, checks)
        events.extend(check_events)
        if check_err is not None:  # recorded what it made, then fails as Dagster's step does
            for e in events:
                env.emit(e)
            return None, _Failed(_describe(check_err), "", check_err), _NO_OUTPUTS
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
    return StepStatus.SUCCEEDED, None, outputs
