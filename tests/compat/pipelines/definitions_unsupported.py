"""A pipeline using a Dagster name dagdeck does not have yet (a multi-asset sensor)."""

import dagdeck as dg

watch = dg.AssetSelection.keys("customer_report")


@dg.multi_asset_sensor(monitored_assets=watch)
def customer_sensor(context):
    return None


@dg.asset
def customer_report() -> str:
    return "report"


defs = dg.Definitions(assets=[customer_report], sensors=[customer_sensor])
