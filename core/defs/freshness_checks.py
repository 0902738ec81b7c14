"""Dagster's `build_last_update_freshness_checks`: one `freshness_check` per asset, passing while the
asset's last materialization is younger than `lower_bound_delta`, all evaluated by one
`@multi_asset_check` step that reads the latest materializations from the instance; and
`build_sensor_for_freshness_checks`, which evaluates them when their answer may have changed."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.check_specs import AssetCheckKey, AssetCheckSpec
from dagdeck.core.defs.checks import (
    AssetCheckResult,
    AssetCheckSeverity,
    MultiAssetChecksDefinition,
    multi_asset_check,
)
from dagdeck.core.defs.run_requests import RunRequest, SkipReason
from dagdeck.core.defs.sensors import DefaultSensorStatus, SensorDefinition, sensor
from dagdeck.core.errors import DefinitionError

CHECK_NAME = "freshness_check"


def _keys(assets: Sequence[Any]) -> list[AssetKey]:
    keys: list[AssetKey] = []
    for a in assets:
        found = getattr(a, "keys", None)
        if found is not None and not isinstance(a, (str, list, tuple)):
            keys.extend(found() if callable(found) else found)
        else:
            keys.append(AssetKey.from_coercible(getattr(a, "key", a)))
    return keys


def build_last_update_freshness_checks(
    *,
    assets: Sequence[Any],
    lower_bound_delta: timedelta,
    deadline_cron: str | None = None,
    timezone: str = "UTC",
    severity: AssetCheckSeverity = AssetCheckSeverity.WARN,
    blocking: bool = False,
) -> list[MultiAssetChecksDefinition]:
    """A check per asset of `assets`, failing (with `severity`) when the asset was never
    materialized or not within `lower_bound_delta` of the check's evaluation."""
    if deadline_cron is not None:
        raise DefinitionError(
            "build_last_update_freshness_checks(deadline_cron=...) is not supported yet",
            fix="leave deadline_cron out: the check then looks back lower_bound_delta from its evaluation",
        )
    if not isinstance(lower_bound_delta, timedelta) or lower_bound_delta <= timedelta(0):
        raise DefinitionError(
            f"lower_bound_delta must be a positive timedelta, got {lower_bound_delta!r}",
            fix="pass lower_bound_delta=datetime.timedelta(hours=1)",
        )
    keys = _keys(assets)
    if not keys:
        raise DefinitionError("build_last_update_freshness_checks got no assets", fix="pass assets=[...]")
    window = lower_bound_delta.total_seconds()
    specs = [AssetCheckSpec(CHECK_NAME, asset=k, blocking=blocking) for k in keys]
    digest = hashlib.sha1("|".join(k.to_user_string() for k in keys).encode()).hexdigest()[:8]

    def evaluate(context: Any) -> Iterator[AssetCheckResult]:
        selected = {(c.asset_key, c.name) for c in context.selected_asset_check_keys}
        lower = time.time() - window
        params = {"timezone": timezone, "lower_bound_delta_seconds": window}
        for key in keys:
            if selected and (key, CHECK_NAME) not in selected:
                continue
            metadata: dict[str, Any] = {
                "dagster/freshness_params": params,
                "dagster/freshness_lower_bound_timestamp": lower,
            }
            event = context.instance.get_latest_materialization_event(key)
            if event is None:
                yield AssetCheckResult(
                    passed=False,
                    severity=severity,
                    metadata=metadata,
                    description="Asset has never been observed/materialized.",
                    asset_key=key,
                    check_name=CHECK_NAME,
                )
                continue
            last = float(event.timestamp)
            passed = last >= lower
            metadata["dagster/last_updated_timestamp"] = last
            if passed:
                metadata["dagster/fresh_until_timestamp"] = last + window
            yield AssetCheckResult(
                passed=passed,
                severity=severity,
                metadata=metadata,
                description="Asset is currently fresh." if passed else "Asset is overdue for an update.",
                asset_key=key,
                check_name=CHECK_NAME,
            )

    check = multi_asset_check(specs=specs, name=f"freshness_checks_{digest}", can_subset=True)(evaluate)
    return [check]


def build_sensor_for_freshness_checks(
    *,
    freshness_checks: Sequence[Any],
    minimum_interval_seconds: int | None = None,
    name: str = "freshness_checks_sensor",
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    tags: Mapping[str, Any] | None = None,
) -> SensorDefinition:
    """A sensor that requests a run of the freshness checks that may have changed answer, as
    Dagster's does: never evaluated; passed, but `dagster/fresh_until_timestamp` has gone by;
    failed, and the asset was materialized since. Otherwise it skips."""
    check_keys = [key for check in freshness_checks for key in _check_keys_of(check)]
    if not check_keys:
        raise DefinitionError(
            "build_sensor_for_freshness_checks got no freshness checks",
            obj=f"sensor {name}",
            fix="pass freshness_checks=build_last_update_freshness_checks(...)",
        )

    def evaluate(context: Any) -> RunRequest | SkipReason:
        now = time.time()
        due = [key for key in check_keys if _may_change(context.instance, key, now)]
        if not due:
            return SkipReason(
                "No freshness checks need to be evaluated at this time, since all checks are either "
                "currently evaluating, have failed, or are not yet overdue."
            )
        return RunRequest(asset_check_keys=due, tags={str(k): str(v) for k, v in (tags or {}).items()})

    return sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description="Evaluates freshness checks when their answer may have changed.",
    )(evaluate)


def _check_keys_of(check: Any) -> list[AssetCheckKey]:
    specs = getattr(check, "specs", None)
    if specs is not None:  # a @multi_asset_check, as build_last_update_freshness_checks returns
        return [spec.key for spec in specs]
    key = getattr(check, "key", None)
    if isinstance(key, AssetCheckKey):
        return [key]
    raise DefinitionError(
        f"freshness_checks= holds {check!r}, which is not an asset check",
        fix="pass the list build_last_update_freshness_checks(...) returns",
    )


def _may_change(instance: Any, key: AssetCheckKey, now: float) -> bool:
    last = instance.latest_check_evaluation(key.asset_key, key.name)
    if last is None:
        return True
    if last.passed:
        fresh_until = _number(last.metadata.get("dagster/fresh_until_timestamp"))
        return fresh_until is None or fresh_until <= now
    event = instance.get_latest_materialization_event(key.asset_key)
    return event is not None and float(event.timestamp) > last.timestamp


def _number(value: Any) -> float | None:
    """A metadata value as stored: a number, or a typed entry holding one."""
    raw = value.get("value") if isinstance(value, dict) else getattr(value, "value", value)
    return float(raw) if isinstance(raw, int | float) else None
