"""Backfills of daily-partitioned assets, one per backfill policy: the default (one run per
partition), `multi_run(max_partitions_per_run=2)` and `single_run()`. The ranged assets report metadata and
store no value: a run of several partitions cannot pickle one value per partition."""

import dagdeck as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-06")


@dg.asset(partitions_def=daily)
def orders(context: dg.AssetExecutionContext) -> str:
    if context.partition_key == "2024-01-03":
        raise Exception("the orders export for 2024-01-03 is corrupt")
    return context.partition_key


@dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=2))
def order_totals(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"partitions": len(context.partition_keys)})


@dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.single_run())
def order_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    key_range = context.partition_key_range
    return dg.MaterializeResult(metadata={"first": key_range.start, "last": key_range.end})


defs = dg.Definitions(assets=[orders, order_totals, order_report])
