"""multi_asset: several assets from one function, one step (Dagster's step key is the op name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli, cli_run, load, pipeline, run_record, stored_asset_value, stored_metadata

import dagdeck as dg
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.errors import DefinitionError


def test_multi_asset_outs_one_step_each_output_materialized(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing everything succeeds with steps load_tables, web_stats,
    orders_per_user and click_rate; load_tables materializes `users` and `shop/orders` (no
    metadata), web_stats materializes clicks {source: web} and views {source: web, sampled: False};
    orders_per_user = 2/3 and click_rate = 0.0353 (each downstream read the right output)."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_multi_asset_outs"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {
        "load_tables": "succeeded",
        "web_stats": "succeeded",
        "orders_per_user": "succeeded",
        "click_rate": "succeeded",
    }
    record = run_record(home, run.doc["run_id"])
    by_step = {m["asset_key"]: m["step_key"] for m in run.doc["materializations"]}
    assert by_step["users"] == by_step["shop/orders"] == "load_tables"
    assert by_step["clicks"] == by_step["views"] == "web_stats"
    assert stored_metadata(record, "users") == {} and stored_metadata(record, "shop/orders") == {}
    assert stored_metadata(record, "clicks") == {"source": "web"}
    assert stored_metadata(record, "views") == {"source": "web", "sampled": False}
    assert stored_asset_value(home, "orders_per_user") == pytest.approx(2 / 3)
    assert stored_asset_value(home, "click_rate") == 0.0353
    assert stored_asset_value(home, "shop/orders") == [
        {"user": "ann", "amount": 10},
        {"user": "cy", "amount": 5},
    ]


def test_multi_asset_definition_is_multi_key() -> None:
    """Dagster 1.13.28: load_tables.keys holds users and shop/orders; `.key` raises (CheckError
    "Tried to retrieve asset key from an assets definition with multiple asset keys"); shop/orders
    is in group `sales` (AssetOut group_name), users in `default`; users has description
    "Everyone who signed up" and definition metadata {owner: growth}."""
    mod = load(pipeline("assets_multi_asset_outs"))
    graph = mod.asset_graph
    load_tables = mod.get_asset("users")
    assert set(load_tables.keys) == {AssetKey("users"), AssetKey(["shop", "orders"])}
    with pytest.raises(DefinitionError, match="asset keys"):
        _ = load_tables.key
    assert graph.assets[AssetKey(["shop", "orders"])].group_name == "sales"
    assert graph.assets[AssetKey("users")].group_name == "default"
    assert graph.assets[AssetKey("users")].description == "Everyone who signed up"
    assert dict(graph.assets[AssetKey("users")].metadata) == {"owner": "growth"}


def test_can_subset_multi_asset_runs_only_selected_outputs(tmp_path: Path) -> None:
    """Dagster 1.13.28: selecting weekly_sales and weekly_report runs steps sales_rollups and
    weekly_report; context.selected_output_names is {'weekly_sales'} (logged "computing
    ['weekly_sales']"); only weekly_sales is materialized ({weeks: 1}), daily_sales is not;
    weekly_report = "weekly total 12"."""
    home = tmp_path / "home"
    run = cli_run(
        pipeline("assets_multi_asset_subset"), "materialize", "--select", "weekly_sales+", home=home
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"sales_rollups": "succeeded", "weekly_report": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert set(record.materializations) == {"weekly_sales", "weekly_report"}
    assert stored_metadata(record, "weekly_sales") == {"weeks": 1}
    logs = [e.message for e in record.events if e.event_type == "LOG"]
    assert "computing ['weekly_sales']" in logs
    assert stored_asset_value(home, "weekly_report") == "weekly total 12"


def test_subsettable_multi_asset_everything_selected(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all of assets_multi_asset_subset runs sales_rollups once,
    materializing daily_sales {days: 3} and weekly_sales {weeks: 1}; split_pair materializes left
    and right; weekly_report = "weekly total 12"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_multi_asset_subset"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        "sales_rollups": "succeeded",
        "split_pair": "succeeded",
        "weekly_report": "succeeded",
    }
    record = run_record(home, run.doc["run_id"])
    assert stored_metadata(record, "daily_sales") == {"days": 3}
    assert stored_metadata(record, "weekly_sales") == {"weeks": 1}
    assert {"left", "right"} <= set(record.materializations)
    assert stored_asset_value(home, "left") == "L" and stored_asset_value(home, "right") == "R"


def test_subset_of_non_subsettable_multi_asset_is_refused(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize(selection=["left"]) raises DagsterInvalidSubsetError: "the
    AssetsDefinition 'split_pair' contains asset keys [left, right] ... This AssetsDefinition does
    not support subsetting. Please select all asset and check keys produced by this asset."; a
    define_asset_job selecting only `left` fails the same way when the job is resolved."""
    home = tmp_path / "home"
    proc = cli(pipeline("assets_multi_asset_subset"), "materialize", "--select", "left", home=home)
    assert proc.returncode == 2, proc.stderr
    assert "split_pair" in proc.stderr and "subsetting" in proc.stderr and "Traceback" not in proc.stderr
    defs = load(pipeline("assets_multi_asset_subset"))
    left_only = dg.Definitions(
        assets=defs.assets_defs, jobs=[dg.define_asset_job("left_only", selection=["left"])]
    )
    with pytest.raises(DefinitionError, match="does not support subsetting"):
        left_only.resolve_job_def("left_only")


def test_multi_asset_specs_with_materialize_results(tmp_path: Path) -> None:
    """Dagster 1.13.28: step customer_tables materializes customers {rows: 42} and customer_stats
    {mean_age: 37.5} (from MaterializeResult(asset_key=...)), then stats_dashboard runs;
    customer_stats is in group `stats` with upstream customers."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_multi_asset_specs"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"customer_tables": "succeeded", "stats_dashboard": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("customers") == {"rows": 42}
    assert record.metadata("customer_stats") == {"mean_age": 37.5}
    graph = load(pipeline("assets_multi_asset_specs")).asset_graph
    assert graph.assets[AssetKey("customer_stats")].group_name == "stats"
    assert graph.upstream[AssetKey("customer_stats")] == {AssetKey("customers")}
    assert graph.assets[AssetKey("customers")].kinds == {"python"}


def test_multi_asset_context_keys_per_output(tmp_path: Path) -> None:
    """Dagster 1.13.28: in mart_tables `context.asset_key` raises DagsterInvariantViolationError
    "Cannot call `context.asset_key` in a multi_asset with more than one asset. Use
    `context.asset_key_for_output` instead." (logged as a warning); asset_key_for_output gives
    mart/sales and mart/returns (their metadata `asset`), selected_asset_keys both; the step
    succeeds and mart/return_rate (inputs found by the same prefix) = 0.04."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_multi_asset_context"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"mart_tables": "succeeded", "mart/return_rate": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert stored_metadata(record, "mart/sales") == {"asset": "mart/sales"}
    assert stored_metadata(record, "mart/returns") == {
        "asset": "mart/returns",
        "selected": "mart/returns, mart/sales",
    }
    warnings = [e.message for e in record.events if e.event_type == "LOG" and e.level == "WARNING"]
    assert warnings == [
        "DagsterInvariantViolationError: Cannot call `context.asset_key` in a multi_asset with more than one "
        "asset. Use `context.asset_key_for_output` instead."
    ]
    assert stored_asset_value(home, "mart/return_rate") == 0.04


def test_asset_job_over_a_multi_asset_through_job_run(tmp_path: Path) -> None:
    """Dagster 1.13.28: growth_job (AssetSelection.groups("growth")) runs steps growth_extract
    and net_growth, both succeed; raw_signups and raw_churn are materialized by growth_extract with
    {days: 3} each; net_growth = 13."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_multi_asset_job"), "job", "run", "growth_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"growth_extract": "succeeded", "net_growth": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert stored_metadata(record, "raw_signups") == {"days": 3} and stored_metadata(record, "raw_churn") == {"days": 3}
    assert stored_asset_value(home, "net_growth") == 13


def test_in_process_output_for_node_of_a_multi_asset(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize([growth_extract, net_growth]) succeeds;
    result.output_for_node("growth_extract", "raw_churn") is [1, 0, 2] and
    output_for_node("net_growth") is 13."""
    from dagdeck.core.instance import Instance

    defs = load(pipeline("assets_multi_asset_job"))
    instance = Instance.open(tmp_path / "home")
    try:
        result = dg.materialize(defs.assets_defs, instance=instance)
        assert result.success
        assert result.output_for_node("growth_extract", "raw_churn") == [1, 0, 2]
        assert result.output_for_node("net_growth") == 13
    finally:
        instance.close()


def test_subset_run_still_needs_required_outputs(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all of `regions` succeeds (north and south materialized);
    selecting only `south` of this can_subset multi_asset whose outputs are required fails step
    `regions` with DagsterStepOutputNotFoundError 'Core compute for op "regions" did not return an
    output for non-optional output "north"' and the run fails. (Dagster records south's
    materialization before failing the step; dagdeck stores nothing from a failed step.)"""
    home = tmp_path / "home"
    file = pipeline("assets_multi_asset_required")
    whole = cli_run(file, "materialize", home=home)
    assert whole.returncode == 0 and whole.steps == {"regions": "succeeded"}
    assert {m["asset_key"] for m in whole.doc["materializations"]} == {"north", "south"}
    run = cli_run(file, "materialize", "--select", "south", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"regions": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "regions")
    assert error.startswith("DagsterStepOutputNotFoundError: ")
    assert 'Core compute for op "regions" did not return an output for non-optional output "north"' in error
