"""What a step reads from its context: the run, its own key, partition errors when unpartitioned, and
the instance's latest materialization of another asset."""

import dagdeck as dg


@dg.asset
def raw_sales(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"row_count": 42})


@dg.asset(deps=[raw_sales])
def sales_report(context: dg.AssetExecutionContext) -> dict:
    latest = context.instance.get_latest_materialization_event(raw_sales.key)
    rows = latest.asset_materialization.metadata["row_count"].value
    try:
        partition = context.partition_key
    except Exception as err:  # noqa: BLE001 - the error is what we report
        partition = f"{type(err).__name__}: {err}"
    context.add_asset_metadata({"source_rows": rows})
    return {
        "rows": rows,
        "asset_key_for_output": context.asset_key_for_output().to_user_string(),
        "same_run": latest.run_id == context.run_id,
        "run_id_matches": context.run.run_id == context.run_id,
        "job_name": context.run.job_name == context.job_name,
        "asset_key": context.asset_key.to_user_string(),
        "has_partition_key": context.has_partition_key,
        "partition_key": partition,
        "op_name": context.op_def.name,
        "missing": context.instance.get_latest_materialization_event(dg.AssetKey("never_made")),
        "records": [
            (
                r.asset_entry.asset_key.to_user_string(),
                r.asset_entry.last_materialization.run_id == context.run_id,
            )
            for r in context.instance.get_asset_records([raw_sales.key])
        ],
    }


@dg.op
def inspect_run(context: dg.OpExecutionContext) -> dict:
    try:
        asset_key = context.asset_key.to_user_string()
    except Exception as err:  # noqa: BLE001
        asset_key = f"{type(err).__name__}: {err}"
    try:
        partition = context.asset_partition_key_for_output()
    except Exception as err:  # noqa: BLE001
        partition = str(err)
    try:
        context.add_asset_metadata({"x": 1})
        asset_metadata = "added"
    except Exception as err:  # noqa: BLE001
        asset_metadata = f"{type(err).__name__}: {err}"
    return {
        "has_tag": context.has_tag("team"),
        "get_tag": [context.get_tag("team"), context.get_tag("missing")],
        "add_asset_metadata": asset_metadata,
        "job_name": context.job_name,
        "run_job_name": context.run.job_name,
        "tags": dict(context.run.tags),
        "asset_key": asset_key,
        "partition": partition,
        "op": context.op.name,
    }


@dg.job(tags={"team": "analytics"})
def inspect_job():
    inspect_run()


defs = dg.Definitions(assets=[raw_sales, sales_report], jobs=[inspect_job])
