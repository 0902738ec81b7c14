"""Assets partitioned by region, a downstream asset per region (identity mapping by default) and a
rollup that maps each region onto its continent with a StaticPartitionMapping."""

import dagdeck as dg

regions = dg.StaticPartitionsDefinition(["us-east", "us-west", "eu-north"])
continents = dg.StaticPartitionsDefinition(["america", "europe"])


@dg.asset(partitions_def=regions)
def region_sales(context: dg.AssetExecutionContext) -> int:
    return {"us-east": 10, "us-west": 20, "eu-north": 5}[context.partition_key]


@dg.asset(partitions_def=regions)
def region_report(context: dg.AssetExecutionContext, region_sales: int) -> str:
    return f"{context.partition_key}: {region_sales}"


@dg.asset(
    partitions_def=continents,
    ins={
        "region_sales": dg.AssetIn(
            partition_mapping=dg.StaticPartitionMapping(
                {"us-east": "america", "us-west": "america", "eu-north": "europe"}
            )
        )
    },
)
def continent_sales(context: dg.AssetExecutionContext, region_sales) -> dg.MaterializeResult:
    total = sum(region_sales.values()) if isinstance(region_sales, dict) else region_sales
    return dg.MaterializeResult(value=total, metadata={"total": total})


@dg.asset(partitions_def=regions)
def region_audit(context: dg.AssetExecutionContext, region_sales: int) -> int:
    if region_sales < 10:
        raise dg.Failure(description=f"too few sales in {context.partition_key}")
    return region_sales


defs = dg.Definitions(assets=[region_sales, region_report, continent_sales, region_audit])
