"""`@dg.asset_sensor` as Dagster's docs write it: a decorated function watching one asset, with
the job it requests not listed in `jobs=[...]`."""

import dagdeck as dg


@dg.asset
def daily_sales() -> list[int]:
    return [10, 20]


@dg.op
def refresh_dashboard() -> str:
    return "refreshed"


@dg.job
def dashboard_job():
    refresh_dashboard()


@dg.asset_sensor(asset_key=dg.AssetKey("daily_sales"), job=dashboard_job)
def daily_sales_sensor(context: dg.SensorEvaluationContext, asset_event):
    assert asset_event.dagster_event and asset_event.dagster_event.asset_key
    return dg.RunRequest(
        run_key=context.cursor,
        tags={
            "source_asset": asset_event.dagster_event.asset_key.to_user_string(),
            "source_run": asset_event.run_id,
        },
    )


defs = dg.Definitions(assets=[daily_sales], sensors=[daily_sales_sensor])
