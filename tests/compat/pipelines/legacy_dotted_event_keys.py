"""Asset events logged by ops with a dotted string key, as Dagster's op events docs write them."""

import dagdeck as dg


@dg.op
def my_asset_op(context):
    context.log_event(dg.AssetMaterialization(asset_key="s3.my_asset", description="A df I stored in s3"))
    return []


@dg.op
def my_asset_op_yields():
    yield dg.AssetMaterialization(asset_key="warehouse.tables/daily", description="mixed separators")
    yield dg.AssetObservation(asset_key="s3.seen_file")
    yield dg.AssetMaterialization(asset_key=["kept.as", "parts"])
    yield dg.Output(1)


@dg.job
def dotted_keys_job():
    my_asset_op()
    my_asset_op_yields()


defs = dg.Definitions(jobs=[dotted_keys_job])
