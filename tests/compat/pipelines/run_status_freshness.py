"""Freshness policies in Dagster 1.13's spelling: a time window on an asset and on an AssetSpec."""

from datetime import timedelta

import dagdeck as dg


@dg.asset(freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=1)))
def hourly_prices():
    return [101.5, 99.8]


supplier_feed = dg.AssetSpec(
    "supplier_feed",
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=24), warn_window=timedelta(hours=12)
    ),
)


defs = dg.Definitions(assets=[hourly_prices, supplier_feed])
