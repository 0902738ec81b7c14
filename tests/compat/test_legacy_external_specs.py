"""External assets declared with AssetsDefinition(specs=[...]) (Dagster's external-assets docs)."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, load, pipeline

from dagdeck.core.defs.asset_key import AssetKey


def test_assets_definition_of_specs_are_external_assets(tmp_path: Path) -> None:
    """Dagster 1.13.28: raw_logs and processed_logs (deps raw_logs, group logs) are
    non-materializable assets; materializing all runs only aggregated_logs (deps processed_logs),
    which succeeds and is the only materialization (with no metadata: it returns None)."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_external_specs"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"aggregated_logs": "succeeded"}
    assert [(m["asset_key"], m["metadata"]) for m in run.doc["materializations"]] == [("aggregated_logs", {})]
    listed = cli(pipeline("legacy_external_specs"), "assets", "list", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    rows = {r["key"]: r for r in json.loads(listed.stdout)}
    assert rows["raw_logs"]["external"] is True and rows["processed_logs"]["external"] is True
    assert rows["aggregated_logs"]["external"] is False
    assert rows["processed_logs"]["deps"] == ["raw_logs"] and rows["aggregated_logs"]["deps"] == [
        "processed_logs"
    ]
    assert rows["processed_logs"]["group"] == "logs" and rows["raw_logs"]["group"] == "default"


def test_spec_attributes_are_kept() -> None:
    """Dagster 1.13.28: raw_logs keeps its description "Logs an outside system writes"."""
    graph = load(pipeline("legacy_external_specs")).asset_graph
    raw_logs = graph.assets[AssetKey("raw_logs")]
    assert raw_logs.is_external
    assert raw_logs.description == "Logs an outside system writes"
