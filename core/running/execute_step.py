"""Run one step: load its inputs, call the user function, store outputs, record events, retry."""

from __future__ import annotations

import inspect
import time
import traceback
from typing import Any

from dagdeck.core.defs.io_managers import IOContext
from dagdeck.core.defs.metadata import normalize
from dagdeck.core.defs.results import MaterializeResult, Output
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.execute_check import execute_check
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv, StepCanceled, load_inputs, step_context
from dagdeck.core.running.step_logs import capture_thread
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
        outputs = _split_outputs(step, result)
    except (Exception, StepCanceled) as err:
        if isinstance(err, StepCanceled):
            return None, ("canceled", "")
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return None, (f"{type(err).__name__}: {err}", tb)

    events: list[dict[str, Any]] = []
    try:
        for out_name, (value, metadata, store_value) in outputs.items():
            metadata = {**metadata, **ctx.output_metadata.get(out_name, {})}
            if store_value:
                manager_key = step.outputs.get(out_name, "io_manager")
                io_ctx = IOContext(env.storage_dir, env.run_id, step.key, out_name, step.asset_key)
                env.io_manager(manager_key).handle_output(io_ctx, value)
                if env.keep_values:
                    with env.values_lock:
                        env.values[(step.key, out_name)] = value
            events.append(
                make_event(EventType.STEP_OUTPUT, env.run_id, step_key=step.key, asset_key=_akey(step), output=out_name)
            )
            if step.asset_key is not None:
                events.append(
                    make_event(
                        EventType.ASSET_MATERIALIZATION,
                        env.run_id,
                        step_key=step.key,
                        asset_key=_akey(step),
                        message=f"materialized {_akey(step)}",
                        metadata=normalize(metadata, env.metadata_max_bytes),
                        code_version=step.code_version,
                    )
                )
            elif metadata:
                events[-1]["data"]["metadata"] = normalize(metadata, env.metadata_max_bytes)
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


def _split_outputs(step: Step, result: Any) -> dict[str, tuple[Any, dict[str, Any], bool]]:
    """Map a return value onto the step's outputs: (value, metadata, store it?)."""
    if step.single_output or len(step.outputs) == 1:
        name = next(iter(step.outputs))
        if isinstance(result, tuple) and result and all(isinstance(r, Output) for r in result):
            result = result[0]
        if isinstance(result, MaterializeResult):
            return {name: (None, dict(result.metadata), False)}
        if isinstance(result, Output):
            return {name: (result.value, dict(result.metadata), True)}
        return {name: (result, {}, True)}
    names = list(step.outputs)
    out: dict[str, tuple[Any, dict[str, Any], bool]] = {}
    if isinstance(result, tuple) and all(isinstance(r, Output) for r in result):
        for r in result:
            if r.output_name not in step.outputs:
                raise ValueError(f"op yielded unknown output {r.output_name!r}; outputs are {', '.join(names)}")
            out[r.output_name] = (r.value, dict(r.metadata), True)
        return out
    if not isinstance(result, tuple) or len(result) != len(names):
        raise ValueError(f"op has outputs {', '.join(names)}: return a tuple of {len(names)} values")
    for name, value in zip(names, result, strict=True):
        if isinstance(value, Output):
            out[name] = (value.value, dict(value.metadata), True)
        else:
            out[name] = (value, {}, True)
    return out
