"""Run a step's hooks once its outcome is final: success hooks after STEP_SUCCESS, failure hooks
after the last STEP_FAILURE (never between retries, never for a canceled step).

Each hook records HOOK_COMPLETED, HOOK_ERRORED (it raised: the error is logged, on the event and
in the step's stderr log, and the step and run keep their outcome) or HOOK_SKIPPED (its trigger is
the other outcome, or the attempt is up for retry), as Dagster's event log does.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.config import op_config_value
from dagdeck.core.defs.context import StepLog
from dagdeck.core.defs.hooks import HookContext, HookDefinition, HookOp, HookTrigger
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv, StepCanceled
from dagdeck.core.running.step_logs import capture_thread


def skip_hooks(step: Step, env: RunEnv, outcome: str) -> None:
    """HOOK_SKIPPED for every hook of `step`: an attempt ended `outcome` ("up for retry") and no
    hook triggers on that."""
    for hook in step.hooks:
        _skipped(step, env, hook, outcome)


def run_hooks(
    step: Step,
    env: RunEnv,
    succeeded: bool,
    exception: BaseException | None = None,
    output_values: Mapping[str, Any] | None = None,
) -> None:
    """Run every hook of `step` for its final outcome; never raises."""
    trigger = HookTrigger.SUCCESS if succeeded else HookTrigger.FAILURE
    akey = step.asset_key.to_user_string() if step.asset_key else None
    for hook in step.hooks:
        if hook.trigger is not trigger:
            _skipped(step, env, hook, "succeeded" if succeeded else "failed")
            continue
        error = _run_one(hook, step, env, exception, output_values)
        if error is None:
            env.emit(
                make_event(
                    EventType.HOOK_COMPLETED,
                    env.run_id,
                    step_key=step.key,
                    asset_key=akey,
                    message=f'finished hook "{hook.name}" triggered by {step.key}',
                    hook=hook.name,
                )
            )
        else:
            env.emit(
                make_event(
                    EventType.HOOK_ERRORED,
                    env.run_id,
                    step_key=step.key,
                    asset_key=akey,
                    message=f'hook "{hook.name}" failed: {error[0]}',
                    level="ERROR",
                    hook=hook.name,
                    error=error[0],
                    traceback=error[1],
                )
            )


def _skipped(step: Step, env: RunEnv, hook: HookDefinition, outcome: str) -> None:
    env.emit(
        make_event(
            EventType.HOOK_SKIPPED,
            env.run_id,
            step_key=step.key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message=f'skipped hook "{hook.name}": step {step.key} {outcome}',
            hook=hook.name,
        )
    )


def _run_one(
    hook: HookDefinition,
    step: Step,
    env: RunEnv,
    exception: BaseException | None,
    output_values: Mapping[str, Any] | None,
) -> tuple[str, str] | None:
    """Call the hook with its context; the error (message, traceback) if it raised."""
    with _captured(step, env):
        missing = sorted(k for k in hook.required_resource_keys if k not in env.resources)
        if missing:
            message = (
                f"hook {hook.name!r} requires resource {', '.join(map(repr, missing))}, which is not defined"
            )
            print(message, file=sys.stderr)
            return message, ""
        context = HookContext(
            hook_def=hook,
            run_id=env.run_id,
            job_name=env.job_name,
            step_key=step.key,
            op=HookOp(step.op_name or step.key, dict(step.tags)),
            log=StepLog(env.emit, env.run_id, step.key),
            resources=SimpleNamespace(**env.resources),
            op_config=op_config_value(env.configs.get(step.key)),
            op_exception=exception,
            op_output_values=dict(output_values or {}),
        )
        try:
            hook.fn(context)
        except StepCanceled:  # the run was canceled while the hook ran; the step's outcome stands
            return "canceled while the hook ran", ""
        except Exception as err:
            tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
            print(f'hook "{hook.name}" failed for step {step.key}:\n{tb}', file=sys.stderr, end="")
            return f"{type(err).__name__}: {err}", tb
    return None


@contextlib.contextmanager
def _captured(step: Step, env: RunEnv) -> Iterator[None]:
    """A hook's prints go to its step's log files, like the step's own."""
    if env.logs_dir is None:
        yield
        return
    with capture_thread(env.logs_dir, step.key, env.log_max_bytes):
        yield
