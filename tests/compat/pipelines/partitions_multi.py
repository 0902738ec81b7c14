"""Two partition dimensions: a date and a region, as in Dagster's multi-partitions example."""

import dagdeck as dg

date_region = dg.MultiPartitionsDefinition(
    {
        "date": dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04"),
        "region": dg.StaticPartitionsDefinition(["eu", "us"]),
    }
)


@dg.asset(partitions_def=date_region)
def regional_orders(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    keys = context.partition_key.keys_by_dimension
    return dg.MaterializeResult(
        value=keys,
        metadata={"date": keys["date"], "region": keys["region"], "key": str(context.partition_key)},
    )


defs = dg.Definitions(assets=[regional_orders])
