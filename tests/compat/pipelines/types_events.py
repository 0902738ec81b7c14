"""Events a step reports besides its outputs: `AssetMaterialization` of a key no asset defines,
`ExpectationResult`, `AssetObservation`, yielded or passed to `context.log_event`."""

import dagdeck as dg


@dg.op
def export_csv(context: dg.OpExecutionContext):
    rows = 3
    yield dg.AssetMaterialization(
        asset_key="exported_csv",
        description="Persisted the export",
        metadata={"rows": rows, "path": dg.MetadataValue.path("/tmp/export.csv")},
    )
    yield dg.ExpectationResult(
        success=rows > 0, label="rows_positive", description="rows > 0", metadata={"rows": rows}
    )
    context.log_event(dg.AssetObservation(asset_key=["warehouse", "orders"], metadata={"row_count": 120}))
    context.log_event(dg.ExpectationResult(success=False, label="no_nulls"))
    context.log_event(dg.AssetMaterialization(asset_key="export_index"))
    yield dg.Output(rows)


@dg.job
def export_job():
    export_csv()


@dg.asset
def sales(context: dg.AssetExecutionContext):
    yield dg.AssetMaterialization(asset_key="sales_backup", metadata={"copies": 2})
    yield dg.Output([10, 20], metadata={"count": 2})


defs = dg.Definitions(assets=[sales], jobs=[export_job])
