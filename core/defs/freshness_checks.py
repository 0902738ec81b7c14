"""Dagster's `build_last_update_freshness_checks`: one `freshness_check` per asset, passing while the
asset's last materialization is younger than `lower_bound_delta`, all evaluated by one
`@multi_asset_check` step that reads the latest materializations from the instance."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.check_specs import AssetCheckSpec
from dagdeck.core.defs.checks import (
    AssetCheckResult,
    AssetCheckSeverity,
    MultiAssetChecksDefinition,
    multi_asset_check,
)
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
