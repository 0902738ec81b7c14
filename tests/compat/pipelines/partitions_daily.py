"""Daily-partitioned orders and a downstream asset reading a two-day window of them, as in
Dagster's partitioning guide."""

import dagdeck as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-08")


@dg.asset(partitions_def=daily)
def orders(context: dg.AssetExecutionContext) -> int:
    window = context.partition_time_window
    context.log.info(f"orders for {context.partition_key}: {window.start.isoformat()}")
    return int(context.partition_key[-2:])


@dg.asset(
    partitions_def=daily,
    ins={"orders": dg.AssetIn(partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1))},
)
def two_day_orders(context: dg.AssetExecutionContext, orders) -> dg.MaterializeResult:
    total = sum(orders.values()) if isinstance(orders, dict) else orders
    return dg.MaterializeResult(value=total, metadata={"days": len(orders) if isinstance(orders, dict) else 1})


@dg.asset
def all_orders(orders: dict) -> int:
    return sum(orders.values())


defs = dg.Definitions(assets=[orders, two_day_orders, all_orders])
