"""load_assets_from_current_module, as a definitions file that lists its own assets."""

import dagdeck as dg


@dg.asset
def source_numbers():
    return [1, 2, 3]


@dg.asset
def doubled(source_numbers):
    return [n * 2 for n in source_numbers]


defs = dg.Definitions(assets=dg.load_assets_from_current_module(group_name="numbers", key_prefix="calc"))
