"""multi_asset(specs=[AssetSpec(...)]) whose function writes the data itself and reports each
asset with MaterializeResult(asset_key=...)."""

import dagdeck as dg


@dg.multi_asset(
    specs=[
        dg.AssetSpec("customers", kinds={"python"}, description="Customer table"),
        dg.AssetSpec("customer_stats", deps=["customers"], group_name="stats"),
    ]
)
def customer_tables(context: dg.AssetExecutionContext):
    rows = 42
    context.log.info("wrote customers")
    yield dg.MaterializeResult(asset_key="customers", metadata={"rows": rows})
    yield dg.MaterializeResult(asset_key="customer_stats", metadata={"mean_age": 37.5})


@dg.asset(deps=["customer_stats"])
def stats_dashboard():
    return "refreshed"


defs = dg.Definitions(assets=[customer_tables, stats_dashboard])
