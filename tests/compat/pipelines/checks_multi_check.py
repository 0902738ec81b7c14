"""`@multi_asset_check`: one function, one step, several checks of several assets.

Dagster 1.13.28: `materialize` runs `daily_sales`, `weekly_sales` and then step `sales_checks`
(named after the function); it records daily_sales:daily_positive (passed, metadata total=60) and
weekly_sales:weekly_matches (failed, WARN, description 'weekly 150 != 7 x daily 60'); every
step succeeds.
"""

from collections.abc import Iterable

import dagdeck as dg


@dg.asset
def daily_sales() -> list[int]:
    return [10, 20, 30]


@dg.asset
def weekly_sales() -> int:
    return 150


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name="daily_positive", asset="daily_sales"),
        dg.AssetCheckSpec(name="weekly_matches", asset="weekly_sales"),
    ]
)
def sales_checks(context: dg.AssetCheckExecutionContext) -> Iterable[dg.AssetCheckResult]:
    daily, weekly = 60, 150
    context.log.info("checking sales")
    yield dg.AssetCheckResult(asset_key="daily_sales", passed=daily > 0, metadata={"total": daily})
    yield dg.AssetCheckResult(
        asset_key="weekly_sales",
        check_name="weekly_matches",
        passed=weekly == 7 * daily,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"weekly {weekly} != 7 x daily {daily}",
    )


defs = dg.Definitions(assets=[daily_sales, weekly_sales], asset_checks=[sales_checks])
