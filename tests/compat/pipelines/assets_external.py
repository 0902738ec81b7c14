"""External assets: AssetSpec lists in Definitions, and deps naming keys no asset defines."""

import dagdeck as dg

partner_feed = dg.AssetSpec("partner_feed", group_name="external", description="Dropped daily by a partner")
raw_clicks = dg.AssetSpec(["lake", "raw_clicks"], owners=["team:ingest"], tags={"tier": "bronze"})


@dg.asset(deps=[partner_feed, "legacy_table"])
def merged_feed():
    return {"rows": 10}


@dg.asset(deps=[dg.AssetDep(raw_clicks)])
def click_summary(merged_feed):
    return merged_feed["rows"] * 2


defs = dg.Definitions(assets=[partner_feed, raw_clicks, merged_feed, click_summary])
