"""The demo's partitioned assets: orders by day (60 days), their weekly rollup through a time-window
partition mapping, and sales by region (static partitions).

Fixed dates keep the demo the same on every machine: day partitions from 2026-01-01 to 2026-03-01.
Each day's orders are generated from the day itself (seeded), so any partition can be rebuilt alone.

    dagdeck -m demo_project.definitions materialize --select orders_by_day --partition 2026-01-05
    dagdeck -m demo_project.definitions backfill launch --select orders_by_day --from 2026-01-01 --to 2026-01-14
"""

from __future__ import annotations

import random

import dagdeck as dg

GROUP = "partitions"
REGIONS = ["africa", "americas", "asia", "europe", "oceania"]

daily = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-03-02")
"""60 daily partitions, 2026-01-01 ... 2026-03-01 (the end date is excluded, as in Dagster)."""
weekly = dg.WeeklyPartitionsDefinition(start_date="2026-01-04", end_date="2026-03-01")
"""The weeks (Sunday to Saturday) the days fill completely."""
by_region = dg.StaticPartitionsDefinition(REGIONS)


@dg.asset(group_name=GROUP, partitions_def=daily, kinds=["python"])
def orders_by_day(context: dg.AssetExecutionContext) -> dg.Output[list[float]]:
    """One day of orders (their totals), generated from the day so a rerun gives the same rows."""
    day = context.partition_key
    rng = random.Random(day)
    totals = [round(rng.uniform(5, 120), 2) for _ in range(rng.randint(20, 80))]
    return dg.Output(totals, metadata={"orders": len(totals), "revenue": round(sum(totals), 2)})


@dg.asset(
    group_name=GROUP,
    partitions_def=weekly,
    kinds=["python"],
    ins={"orders_by_day": dg.AssetIn(partition_mapping=dg.TimeWindowPartitionMapping())},
)
def weekly_orders_rollup(
    context: dg.AssetExecutionContext, orders_by_day: dict[str, list[float]]
) -> dg.Output[dict[str, float]]:
    """A week's revenue per day: the mapping hands it the week's seven day partitions as a dict."""
    per_day = {day: round(sum(totals), 2) for day, totals in sorted(orders_by_day.items())}
    context.log.info(f"week {context.partition_key}: {len(per_day)} days")
    return dg.Output(per_day, metadata={"days": len(per_day), "revenue": round(sum(per_day.values()), 2)})


@dg.asset(group_name=GROUP, partitions_def=by_region, kinds=["python"])
def regional_sales(context: dg.AssetExecutionContext) -> dg.Output[float]:
    """Sales of one region: a static partition per region."""
    region = context.partition_key
    sales = round(random.Random(region).uniform(1_000, 9_000), 2)
    return dg.Output(sales, metadata={"region": region, "sales": sales})


partitioned_assets = [orders_by_day, weekly_orders_rollup, regional_sales]
