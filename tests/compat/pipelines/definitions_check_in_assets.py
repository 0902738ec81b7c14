"""An asset check listed in `assets=[...]` next to the assets (Dagster runs it as a check, since
its checks are assets definitions too)."""

import dagdeck as dg


@dg.asset
def orders() -> list[int]:
    return [4, 0, 7]


@dg.asset_check(asset=orders)
def orders_not_empty(orders: list[int]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=len(orders) > 0, metadata={"rows": len(orders)})


defs = dg.Definitions(assets=[orders, orders_not_empty])
