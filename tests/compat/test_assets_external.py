"""External assets (AssetSpec lists, deps on undefined keys) and SourceAsset inputs."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, load, pipeline, stored_asset_value

from dagdeck.core.defs.asset_key import AssetKey


def test_external_assets_shown_never_materialized(tmp_path: Path) -> None:
    """Dagster 1.13.28: the asset graph holds partner_feed (group `external`), lake/raw_clicks and
    legacy_table (named only in deps=) as external, non-materializable assets, and merged_feed and
    click_summary as materializable; materializing everything runs only merged_feed and
    click_summary, both succeed and are the only materializations."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_external"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"merged_feed": "succeeded", "click_summary": "succeeded"}
    assert {m["asset_key"] for m in run.doc["materializations"]} == {"merged_feed", "click_summary"}
    assert stored_asset_value(home, "click_summary") == 20

    listed = cli(pipeline("assets_external"), "assets", "list", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    rows = {r["key"]: r for r in json.loads(listed.stdout)}
    for key in ("partner_feed", "lake/raw_clicks", "legacy_table"):
        assert rows[key]["external"] is True
        assert rows[key]["latest_status"] == "external"
    assert rows["partner_feed"]["group"] == "external"
    assert rows["merged_feed"]["external"] is False and rows["merged_feed"]["latest_status"] == "materialized"
    assert sorted(rows["merged_feed"]["deps"]) == ["legacy_table", "partner_feed"]
    assert sorted(rows["click_summary"]["deps"]) == ["lake/raw_clicks", "merged_feed"]
    shown = cli(pipeline("assets_external"), "assets", "show", "partner_feed", home=home)
    assert shown.returncode == 0 and "external: made outside dagdeck" in shown.stdout, shown.stdout


def test_external_spec_attributes() -> None:
    """Dagster 1.13.28: lake/raw_clicks keeps owners ['team:ingest'] and tags {tier: bronze};
    partner_feed keeps its description "Dropped daily by a partner"."""
    graph = load(pipeline("assets_external")).asset_graph
    raw_clicks = graph.assets[AssetKey(["lake", "raw_clicks"])]
    assert raw_clicks.is_external
    assert raw_clicks.owners == ("team:ingest",)
    assert dict(raw_clicks.tags) == {"tier": "bronze"}
    assert graph.assets[AssetKey("partner_feed")].description == "Dropped daily by a partner"


def test_selecting_only_an_external_asset_is_refused(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize(selection=["partner_feed"]) raises DagsterInvalidDefinitionError
    "Selected keys must be a subset of existing executable asset keys. Invalid selected keys:
    {AssetKey(['partner_feed'])}"; dagdeck refuses with one line naming the external asset."""
    home = tmp_path / "home"
    proc = cli(pipeline("assets_external"), "materialize", "--select", "partner_feed", home=home)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "partner_feed" in proc.stderr and "external" in proc.stderr and "Traceback" not in proc.stderr


def test_source_asset_loaded_through_its_io_manager(tmp_path: Path) -> None:
    """Dagster 1.13.28: warehouse/raw_events is an external asset; materializing everything runs
    event_count and event_table_name (both succeed); the source asset's value comes from
    WarehouseIOManager.load_input, so event_count = 4 and event_table_name =
    "warehouse/raw_events" (context.asset_key of the load)."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_source_asset"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"event_count": "succeeded", "event_table_name": "succeeded"}
    assert stored_asset_value(home, "event_count") == 4
    assert stored_asset_value(home, "event_table_name") == "warehouse/raw_events"
    graph = load(pipeline("assets_source_asset")).asset_graph
    assert graph.assets[AssetKey(["warehouse", "raw_events"])].is_external
