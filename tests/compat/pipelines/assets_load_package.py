"""load_assets_from_package_module: every module of a package, one group, one prefix."""

import assets_shop

import dagdeck as dg

defs = dg.Definitions(
    assets=dg.load_assets_from_package_module(assets_shop, group_name="shop", key_prefix="pkg")
)
