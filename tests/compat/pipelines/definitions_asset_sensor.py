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
    return dg.RunRequest()


defs = dg.Definitions(assets=[daily_sales], sensors=[daily_sales_sensor])
