"""Run one asset-check step: evaluate, record ASSET_CHECK_EVALUATION, and decide the step outcome.

A check that fails (or raises) is a failed *check*, recorded with its metadata or traceback; the step
itself fails only when the check is blocking with severity ERROR, which skips the asset's downstream.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.check_specs import check_result_key
from dagdeck.core.defs.checks import AssetCheckResult, AssetCheckSeverity, DagsterAssetCheckFailedError
from dagdeck.core.defs.metadata import MAX_METADATA_BYTES, normalize
from dagdeck.core.defs.results import (
    DagsterInvariantViolationError,
    DagsterStepOutputNotFoundError,
    MaterializeResult,
)
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.plan import Step
from dagdeck.core.running.run_env import RunEnv, load_inputs, step_context
from dagdeck.core.running.step_call import Yielded, call_step_fn
from dagdeck.core.statuses import StepStatus

Found = list[tuple[AssetCheckResult, AssetKey | None]]
"""Check results a step produced, each with the asset it defaults to (its MaterializeResult's)."""


def execute_check(step: Step, env: RunEnv) -> StepStatus:
    """Evaluate one check step; FAILED only for a blocking ERROR check that did not pass."""
    if step.check_keys:
        return _execute_multi_check(step, env)
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
        env.emit(_step_failure(env, step, error, tb, **base))
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


def _execute_multi_check(step: Step, env: RunEnv) -> StepStatus:
    """A `@multi_asset_check` step: every declared check needs a result, as in Dagster, and the step
    fails when one is missing or a blocking one failed with ERROR (its results are recorded first)."""
    started = time.time()
    env.emit(make_event(EventType.STEP_START, env.run_id, step_key=step.key, message="started", attempt=1))
    ctx = step_context(step, env)
    events: list[dict[str, Any]] = []
    tb = ""
    try:
        kwargs = load_inputs(step, env)
        result = call_step_fn(step, ctx, (ctx,) if step.params.uses_context else (), kwargs)
        items = list(result) if isinstance(result, Yielded | list | tuple) else [result]
        for item in items:
            if not isinstance(item, AssetCheckResult):
                raise TypeError(
                    f"multi_asset_check {step.op_name} produced {type(item).__name__}; "
                    "yield a dg.AssetCheckResult(asset_key=..., check_name=..., passed=...) per check"
                )
        events, err = check_result_events(step, env, [(r, None) for r in items])
    except Exception as exc:  # noqa: BLE001 - user code failed: the step fails with its error
        err = exc
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    for e in events:
        env.emit(e)
    ended = time.time()
    if err is not None:
        error = f"{type(err).__name__}: {err}"
        env.emit(_step_failure(env, step, error, tb))
        return StepStatus.FAILED
    env.emit(
        make_event(
            EventType.STEP_SUCCESS,
            env.run_id,
            step_key=step.key,
            message=f"checks done in {ended - started:.3f}s",
            timestamp=ended,
            duration_s=ended - started,
            attempt=1,
        )
    )
    return StepStatus.SUCCEEDED


def take_check_results(step: Step, result: Any) -> tuple[Any, Found]:
    """The check results in what an asset step with `check_specs` returned or yielded (yielded
    `AssetCheckResult`s, `MaterializeResult(check_results=...)`), and the result without them."""
    found: Found = []
    items = result if isinstance(result, tuple) else (result,)
    for item in items:
        if isinstance(item, MaterializeResult) and item.check_results:
            for r in item.check_results:  # as Dagster: a stray one fails the step before anything is stored
                check_result_key(r, step.check_keys, item.asset_key or step.asset_key)
                found.append((r, item.asset_key or step.asset_key))
        elif isinstance(item, AssetCheckResult):
            found.append((item, step.asset_key))
    if found and isinstance(result, Yielded):
        result = Yielded(i for i in result if not isinstance(i, AssetCheckResult))
    return result, found


def check_result_events(
    step: Step, env: RunEnv, found: Found
) -> tuple[list[dict[str, Any]], Exception | None]:
    """An ASSET_CHECK_EVALUATION per result, and the error that fails the step: a result for no
    declared check, a declared check without a result, or a blocking check failed with ERROR."""
    events: list[dict[str, Any]] = []
    results: dict[Any, AssetCheckResult] = {}
    declared = list(step.check_keys)
    for result, default_asset in found:
        try:
            key = check_result_key(result, declared, default_asset)
        except DagsterInvariantViolationError as err:
            return events, err
        results[key] = result
        events.append(
            check_evaluation_event(
                env.run_id,
                step.key,
                key.asset_key.to_user_string(),
                key.name,
                result,
                max_bytes=env.metadata_max_bytes,
            )
        )
    missing = [k for k in declared if k not in results]
    if missing:
        return events, DagsterStepOutputNotFoundError(
            f'Core compute for op "{step.op_name}" did not return an output for non-optional output '
            f'"{missing[0].output_name}"'
        )
    failed = [
        k
        for k in declared
        if k in step.blocking_checks
        and not results[k].passed
        and AssetCheckSeverity(results[k].severity) == AssetCheckSeverity.ERROR
    ]
    if failed:
        return events, DagsterAssetCheckFailedError(
            f"{len(failed)} blocking asset check{'s' if len(failed) > 1 else ''} failed with ERROR severity:\n"
            + "\n".join(f"{k.asset_key.to_user_string()}: {k.name}" for k in failed)
        )
    return events, None


def _step_failure(env: RunEnv, step: Step, error: str, tb: str | None, **data: Any) -> dict[str, Any]:
    """The STEP_FAILURE a check step ends with (checks run once: attempt 1, never retried)."""
    return make_event(
        EventType.STEP_FAILURE,
        env.run_id,
        step_key=step.key,
        message=error,
        level="ERROR",
        error=error,
        traceback=tb,
        attempt=1,
        canceled=False,
        **data,
    )
