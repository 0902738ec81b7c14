"""Last-update freshness checks for two assets, built by Dagster's helper."""

from datetime import timedelta

import dagdeck as dg


@dg.asset
def hourly_prices():
    return [101.5, 99.8]


@dg.asset
def stale_feed():
    return ["row"]


freshness_checks = dg.build_last_update_freshness_checks(
    assets=[hourly_prices, stale_feed], lower_bound_delta=timedelta(minutes=30)
)


defs = dg.Definitions(assets=[hourly_prices, stale_feed], asset_checks=freshness_checks)
