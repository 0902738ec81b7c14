"""AssetMaterialization / AssetObservation with a dotted string key (Dagster's op events docs)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record

import dagdeck as dg


def test_dotted_string_keys_of_asset_events_are_split(tmp_path: Path) -> None:
    """Dagster 1.13.28: the job succeeds; materializations are recorded for s3/my_asset (from
    "s3.my_asset"), warehouse/tables/daily (from "warehouse.tables/daily": dots and slashes both
    split) and kept.as/parts (a list keeps its parts whole); the observation is of s3/seen_file."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_dotted_event_keys"), "job", "run", "dotted_keys_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"my_asset_op": "succeeded", "my_asset_op_yields": "succeeded"}
    assert [m["asset_key"] for m in run.doc["materializations"]] == [
        "s3/my_asset",
        "warehouse/tables/daily",
        "kept.as/parts",
    ]
    record = run_record(home, run.doc["run_id"])
    observed = [e.asset_key for e in record.events if e.event_type == "ASSET_OBSERVATION"]
    assert observed == ["s3/seen_file"]


def test_only_the_asset_events_split_dots() -> None:
    """Dagster 1.13.28: AssetMaterialization("s3.my_asset") and AssetObservation("s3.my_asset")
    have key ['s3', 'my_asset']; AssetKey("s3.my_asset"), AssetSpec("s3.x").key and
    AssetMaterialization(asset_key=AssetKey("a.b")) keep the dotted part whole."""
    assert dg.AssetMaterialization(asset_key="s3.my_asset").asset_key == dg.AssetKey(["s3", "my_asset"])
    assert dg.AssetObservation(asset_key="s3.my_asset").asset_key == dg.AssetKey(["s3", "my_asset"])
    assert dg.AssetKey("s3.my_asset").path == ("s3.my_asset",)
    assert dg.AssetSpec("s3.x").key == dg.AssetKey(["s3.x"])
    assert dg.AssetMaterialization(asset_key=dg.AssetKey("a.b")).asset_key == dg.AssetKey(["a.b"])
