"""load_assets_from_modules with key_prefix= and group_name=, and the checks of the same module."""

from assets_shop import ingest

import dagdeck as dg

shop_assets = dg.load_assets_from_modules([ingest], key_prefix="shop", group_name="sales")
shop_checks = dg.load_asset_checks_from_modules([ingest], asset_key_prefix="shop")

defs = dg.Definitions(assets=shop_assets, asset_checks=shop_checks)
