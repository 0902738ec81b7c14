"""A freshness check with the sensor that evaluates it, built by Dagster's helpers."""

from datetime import timedelta

import dagdeck as dg


@dg.asset
def orders():
    return [1, 2, 3]


orders_freshness = dg.build_last_update_freshness_checks(assets=[orders], lower_bound_delta=timedelta(hours=1))
freshness_sensor = dg.build_sensor_for_freshness_checks(freshness_checks=orders_freshness)

defs = dg.Definitions(assets=[orders], asset_checks=orders_freshness, sensors=[freshness_sensor])
