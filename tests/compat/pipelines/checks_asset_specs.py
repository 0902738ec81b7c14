"""Checks an asset evaluates itself: `@asset(check_specs=[...])`, results returned in
`MaterializeResult(check_results=[...])` or yielded after the asset's `Output`.

Dagster 1.13.28: `orders` and `order_items` succeed with no separate check step; checks
orders:has_rows (passed, metadata rows=3) and order_items:no_nulls (passed) and
order_items:under_limit (failed WARN) are recorded in the asset's own step.
"""

import dagdeck as dg


@dg.asset(check_specs=[dg.AssetCheckSpec("has_rows", asset="orders", description="orders has rows")])
def orders() -> dg.MaterializeResult:
    rows = [1, 2, 3]
    return dg.MaterializeResult(
        metadata={"row_count": len(rows)},
        check_results=[dg.AssetCheckResult(passed=len(rows) > 0, metadata={"rows": len(rows)})],
    )


@dg.asset(
    deps=[orders],
    check_specs=[
        dg.AssetCheckSpec("no_nulls", asset="order_items"),
        dg.AssetCheckSpec("under_limit", asset="order_items"),
    ],
)
def order_items(context: dg.AssetExecutionContext):
    items = [10, 20, 30]
    yield dg.Output(items)
    yield dg.AssetCheckResult(check_name="no_nulls", passed=all(i is not None for i in items))
    yield dg.AssetCheckResult(
        check_name="under_limit",
        passed=sum(items) < 50,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"total {sum(items)}",
    )


defs = dg.Definitions(assets=[orders, order_items])
