"""Graph-backed assets (`graph_asset`, `graph_multi_asset`, `AssetsDefinition.from_graph`): each op
of the graph is its own step `graph.op`, and the op whose output is the graph's output stores the
asset's value and records its materialization."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli, cli_run, load, pipeline, stored_asset_value

from dagdeck.core.defs.asset_key import AssetKey


def test_graph_backed_assets_materialize(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all succeeds with steps sorted_numbers.fetch_numbers,
    sorted_numbers.sort_numbers, largest, high_and_low.{fetch_numbers,sort_numbers,highest,lowest},
    top_of.sort_numbers and top_of.highest; materializations come from sorted_numbers.sort_numbers
    (sorted_numbers), high_and_low.highest (high_number), high_and_low.lowest (low_number),
    top_of.highest (top_number) and largest; values [1, 2, 3], 3, 3, 1, 3."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_assets"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    steps = [
        "high_and_low.fetch_numbers",
        "high_and_low.highest",
        "high_and_low.lowest",
        "high_and_low.sort_numbers",
        "largest",
        "sorted_numbers.fetch_numbers",
        "sorted_numbers.sort_numbers",
        "top_of.highest",
        "top_of.sort_numbers",
    ]
    assert run.steps == {k: "succeeded" for k in steps}
    mats = sorted((m["step_key"], m["asset_key"]) for m in run.doc["materializations"])
    assert mats == [
        ("high_and_low.highest", "high_number"),
        ("high_and_low.lowest", "low_number"),
        ("largest", "largest"),
        ("sorted_numbers.sort_numbers", "sorted_numbers"),
        ("top_of.highest", "top_number"),
    ]
    values = {
        k: stored_asset_value(home, k) for k in ("sorted_numbers", "largest", "high_number", "low_number")
    }
    assert values == {"sorted_numbers": [1, 2, 3], "largest": 3, "high_number": 3, "low_number": 1}
    assert stored_asset_value(home, "top_number") == 3


def test_downstream_of_a_graph_asset_loads_its_stored_value(tmp_path: Path) -> None:
    """Dagster 1.13.28: after a full materialization, selecting only `largest` runs the one step
    `largest` (value 3, read from the stored sorted_numbers), and selecting only `top_number` runs
    top_of.sort_numbers and top_of.highest, its graph input loaded from the stored sorted_numbers."""
    home = tmp_path / "home"
    assert cli_run(pipeline("graphs_assets"), "materialize", home=home).returncode == 0
    run = cli_run(pipeline("graphs_assets"), "materialize", "--select", "largest", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"largest": "succeeded"}
    run = cli_run(pipeline("graphs_assets"), "materialize", "--select", "top_number", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"top_of.sort_numbers": "succeeded", "top_of.highest": "succeeded"}
    assert stored_asset_value(home, "top_number") == 3


def test_graph_multi_asset_cannot_be_subset(tmp_path: Path) -> None:
    """Dagster 1.13.28: selecting only high_number of graph_multi_asset high_and_low (can_subset
    False) is refused before any run: DagsterInvalidSubsetError "... does not support subsetting.
    Please select all asset and check keys produced by this asset"."""
    proc = cli(pipeline("graphs_assets"), "materialize", "--select", "high_number", home=tmp_path / "home")
    assert proc.returncode == 2
    assert "does not support subsetting" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_graph_asset_keys_and_groups() -> None:
    """Dagster 1.13.28: from_graph(top_of, keys_by_output_name={"result": AssetKey("top_number")},
    group_name="reports") has keys {top_number} in group "reports"; graph_multi_asset's keys
    high_number and low_number are in group "default"; top_number depends on sorted_numbers."""
    defs = load(pipeline("graphs_assets"))
    graph = defs.asset_graph
    top = AssetKey("top_number")
    assert graph.assets[top].group_name == "reports"
    assert graph.assets[AssetKey("high_number")].group_name == "default"
    assert graph.upstream[top] == frozenset({AssetKey("sorted_numbers")})


def test_in_process_materialize_of_graph_assets(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dg.materialize` of the four definitions succeeds; output_for_node gives
    [1, 2, 3] for sorted_numbers, 3 and 1 for high_and_low's outputs high_number and low_number, and
    3 for largest."""
    import dagdeck as dg
    from dagdeck.core.instance import Instance

    defs = load(pipeline("graphs_assets"))
    instance = Instance.open(tmp_path / "home")
    try:
        result = dg.materialize(defs.assets_defs, instance=instance)
        assert result.success
        assert result.output_for_node("sorted_numbers") == [1, 2, 3]
        assert result.output_for_node("high_and_low", "high_number") == 3
        assert result.output_for_node("high_and_low", "low_number") == 1
        assert result.output_for_node("largest") == 3
    finally:
        instance.close()
