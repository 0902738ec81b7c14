"""`define_asset_job(selection=...)` in each form Dagster documents: strings with `*`, `+` and
`group:`, key strings, AssetKeys, asset definitions, lists, and AssetSelection methods."""

import dagdeck as dg


@dg.asset(group_name="raw", key_prefix=["warehouse"], tags={"layer": "bronze"})
def events() -> list[int]:
    return [1, 2, 3]


@dg.asset(group_name="raw", key_prefix=["warehouse"], tags={"layer": "bronze"}, owners=["team:data"])
def users() -> list[str]:
    return ["a", "b"]


@dg.asset(group_name="clean", deps=[dg.AssetKey(["warehouse", "events"])], tags={"layer": "silver"})
def sessions() -> int:
    return 2


@dg.asset(group_name="clean", deps=[sessions, dg.AssetKey(["warehouse", "users"])], kinds={"python"})
def engagement() -> float:
    return 0.5


@dg.asset(group_name="reports", deps=[engagement])
def dashboard() -> str:
    return "ok"


jobs = [
    dg.define_asset_job("by_string_downstream", selection="sessions*"),
    dg.define_asset_job("by_string_upstream", selection="+engagement"),
    dg.define_asset_job("by_group_string", selection="group:clean"),
    dg.define_asset_job("by_key_strings", selection=["sessions", "warehouse/users"]),
    dg.define_asset_job(
        "by_asset_keys", selection=[dg.AssetKey(["warehouse", "events"]), dg.AssetKey("dashboard")]
    ),
    dg.define_asset_job("by_assets_defs", selection=[sessions, engagement]),
    dg.define_asset_job("by_groups", selection=dg.AssetSelection.groups("raw", "reports")),
    dg.define_asset_job("by_key_prefix", selection=dg.AssetSelection.key_prefixes("warehouse")),
    dg.define_asset_job("by_tag", selection=dg.AssetSelection.tag("layer", "bronze")),
    dg.define_asset_job("by_upstream", selection=dg.AssetSelection.assets(engagement).upstream(depth=1)),
    dg.define_asset_job("by_downstream", selection=dg.AssetSelection.keys("sessions").downstream()),
    dg.define_asset_job(
        "all_but_reports", selection=dg.AssetSelection.all() - dg.AssetSelection.groups("reports")
    ),
    dg.define_asset_job(
        "roots_and_sinks", selection=dg.AssetSelection.all().roots() | dg.AssetSelection.all().sinks()
    ),
    dg.define_asset_job("by_owner", selection=dg.AssetSelection.owner("team:data")),
    dg.define_asset_job("by_kind", selection=dg.AssetSelection.kind("python")),
    dg.define_asset_job("by_key_substring", selection=dg.AssetSelection.key_substring("sess")),
    dg.define_asset_job("new_syntax", selection="key:dashboard or tag:layer=silver"),
]

defs = dg.Definitions(assets=[events, users, sessions, engagement, dashboard], jobs=jobs)
