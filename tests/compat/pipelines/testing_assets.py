"""Assets with metadata and an asset check, tested with `materialize` and `materialize_to_memory`."""

import dagdeck as dg


@dg.asset
def orders() -> list[dict]:
    return [{"id": 1, "amount": 30}, {"id": 2, "amount": 12}]


@dg.asset
def revenue(context: dg.AssetExecutionContext, orders: list[dict]) -> int:
    total = sum(o["amount"] for o in orders)
    context.add_output_metadata({"order_count": len(orders)})
    return total


@dg.asset_check(asset=revenue)
def revenue_not_negative(revenue: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=revenue >= 0, metadata={"revenue": revenue})


defs = dg.Definitions(assets=[orders, revenue], asset_checks=[revenue_not_negative])
