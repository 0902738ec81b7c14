"""Run one asset-check step: evaluate, record ASSET_CHECK_EVALUATION, and decide the step outcome.

A check that fails (or raises) is a failed *check*, recorded with its metadata or traceback; the step
itself fails only when the check is blocking with severity ERROR, which skips the asset's downstream.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from dagdeck.core.defs.checks import AssetCheckResult, AssetCheckSeverity
from dagdeck.core.defs.metadata import MAX_METADATA_BYTES, normalize
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv, load_inputs, step_context
from dagdeck.core.statuses import StepStatus


def execute_check(step: Step, env: RunEnv) -> StepStatus:
    """Evaluate one check step; FAILED only for a blocking ERROR check that did not pass."""
    started = time.time()
    akey = step.asset_key.to_user_string() if step.asset_key else None
    base = {"checked_asset": akey, "check_name": step.check_name}
    env.emit(
        make_event(
            EventType.STEP_START, env.run_id, step_key=step.key, message="check started", attempt=1, **base
        )
    )
    ctx = step_context(step, env)
    tb: str | None = None
    try:
        kwargs = load_inputs(step, env)
        args = (ctx,) if step.params.uses_context else ()
        result = step.fn(*args, **kwargs)
        if isinstance(result, bool):
            result = AssetCheckResult(passed=result)
        if not isinstance(result, AssetCheckResult):
            raise TypeError(f"check returned {type(result).__name__}; return dg.AssetCheckResult(passed=...)")
    except Exception as err:  # noqa: BLE001 - a raising check is a failed check, not a crashed run
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        result = AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            metadata={"error": f"{type(err).__name__}: {err}"},
            description="the check raised an exception",
        )
    severity = AssetCheckSeverity(result.severity)
    env.emit(
        check_evaluation_event(
            env.run_id, step.key, akey, step.check_name or "", result, tb, max_bytes=env.metadata_max_bytes
        )
    )
    ended = time.time()
    if not result.passed and severity == AssetCheckSeverity.ERROR and step.blocking:
        error = f"blocking check {step.check_name} failed" + (
            f": {result.description}" if result.description else ""
        )
        env.emit(
            make_event(
                EventType.STEP_FAILURE,
                env.run_id,
                step_key=step.key,
                message=error,
                level="ERROR",
                error=error,
                traceback=tb,
                attempt=1,
                canceled=False,
                **base,
            )
        )
        return StepStatus.FAILED
    verdict = "passed" if result.passed else f"failed ({severity})"
    env.emit(
        make_event(
            EventType.STEP_SUCCESS,
            env.run_id,
            step_key=step.key,
            message=f"check {verdict} in {ended - started:.3f}s",
            timestamp=ended,
            duration_s=ended - started,
            attempt=1,
            **base,
        )
    )
    return StepStatus.SUCCEEDED


def check_evaluation_event(
    run_id: str | None,
    step_key: str | None,
    asset_key: str | None,
    check_name: str,
    result: AssetCheckResult,
    tb: str | None = None,
    max_bytes: int = MAX_METADATA_BYTES,
) -> dict[str, Any]:
    severity = AssetCheckSeverity(result.severity)
    return make_event(
        EventType.ASSET_CHECK_EVALUATION,
        run_id,
        step_key=step_key,
        asset_key=asset_key,
        message=f"check {check_name} on {asset_key}: {'passed' if result.passed else 'failed ' + severity}",
        level="INFO" if result.passed else ("ERROR" if severity == AssetCheckSeverity.ERROR else "WARNING"),
        check_name=check_name,
        passed=bool(result.passed),
        severity=str(severity),
        metadata=normalize(result.metadata, max_bytes),
        description=result.description,
        traceback=tb,
    )
