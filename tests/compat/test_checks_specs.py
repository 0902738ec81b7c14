"""Checks an asset evaluates itself (`@asset(check_specs=...)`, `@multi_asset(check_specs=...)`),
run through the CLI and read back as `dagdeck checks list` shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compat_helpers import cli, cli_run, load, pipeline, run_record


def checks_list(file: Path, home: Path) -> dict[str, dict[str, Any]]:
    """`dagdeck checks list --json` keyed `asset:check`."""
    proc = cli(file, "checks", "list", "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    return {f"{r['asset_key']}:{r['name']}": r for r in json.loads(proc.stdout)}


def test_check_specs_results_recorded_in_the_asset_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `orders` and `order_items` succeed and no separate check step runs;
    orders:has_rows passed (metadata rows=3), order_items:no_nulls passed, and
    order_items:under_limit failed with severity WARN (description 'total 60'), each evaluation
    recorded by the asset's own step."""
    file = pipeline("checks_asset_specs")
    run = cli_run(file, "materialize", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"orders": "succeeded", "order_items": "succeeded"}
    checks = checks_list(file, tmp_path / "home")
    assert set(checks) == {"orders:has_rows", "order_items:no_nulls", "order_items:under_limit"}
    assert checks["orders:has_rows"]["passed"] is True
    assert checks["orders:has_rows"]["metadata"] == {"rows": 3}
    assert checks["order_items:no_nulls"]["passed"] is True
    assert (checks["order_items:under_limit"]["passed"], checks["order_items:under_limit"]["severity"]) == (
        False,
        "WARN",
    )
    record = run_record(tmp_path / "home", run.doc["run_id"])
    evals = [e for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"]
    assert {(e.step_key, e.data["check_name"]) for e in evals} == {
        ("orders", "has_rows"),
        ("order_items", "no_nulls"),
        ("order_items", "under_limit"),
    }
    assert next(e for e in evals if e.data["check_name"] == "under_limit").data["description"] == "total 60"
    assert record.metadata("orders") == {"row_count": 3}


def test_check_specs_are_known_before_any_run(tmp_path: Path) -> None:
    """Dagster 1.13.28: the Definitions know the declared checks (`AssetCheckKey`s orders:has_rows,
    order_items:no_nulls, order_items:under_limit) before anything runs; the asset has the spec's
    description 'orders has rows'."""
    defs = load(pipeline("checks_asset_specs"))
    names = {(c.asset_key.to_user_string(), c.name) for c in defs.asset_checks}
    assert names == {("orders", "has_rows"), ("order_items", "no_nulls"), ("order_items", "under_limit")}
    has_rows = next(c for c in defs.asset_checks if c.name == "has_rows")
    assert has_rows.description == "orders has rows"
    checks = checks_list(pipeline("checks_asset_specs"), tmp_path / "home")
    assert all(c["passed"] is None for c in checks.values())


def test_declared_check_without_result_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: step `inventory` fails with DagsterStepOutputNotFoundError 'Core compute
    for op "inventory" did not return an output for non-optional output "inventory_in_stock"';
    the materialization of `inventory` and the evaluation of `positive` (failed, WARN) are
    recorded first, `in_stock` has no evaluation."""
    file = pipeline("checks_missing_result")
    run = cli_run(file, "materialize", home=tmp_path / "home")
    assert run.returncode != 0
    assert run.status == "FAILURE"
    assert run.steps == {"inventory": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "inventory")
    assert error == (
        'DagsterStepOutputNotFoundError: Core compute for op "inventory" did not return an output for '
        'non-optional output "inventory_in_stock"'
    )
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert "inventory" in record.materializations
    checks = checks_list(file, tmp_path / "home")
    assert (checks["inventory:positive"]["passed"], checks["inventory:positive"]["severity"]) == (
        False,
        "WARN",
    )
    assert checks["inventory:in_stock"]["passed"] is None


def test_blocking_check_spec_fails_its_asset_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `raw_events` is materialized, its blocking check `not_empty` fails
    (ERROR, description 'no events arrived'), the step fails with DagsterAssetCheckFailedError
    '1 blocking asset check failed with ERROR severity:\\nraw_events: not_empty', and
    `clean_events` is not executed (dagdeck: skipped)."""
    file = pipeline("checks_spec_blocking")
    run = cli_run(file, "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"raw_events": "failed", "clean_events": "skipped"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "raw_events")
    assert (
        error
        == "DagsterAssetCheckFailedError: 1 blocking asset check failed with ERROR severity:\nraw_events: not_empty"
    )
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert "raw_events" in record.materializations
    checks = checks_list(file, tmp_path / "home")
    assert checks["raw_events:not_empty"]["passed"] is False
    assert checks["raw_events:not_empty"]["blocking"] is True


def test_subset_multi_asset_evaluates_checks_of_selected_assets(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing both assets of `warehouse` runs one step that records
    stock:counted (passed, metadata source=scan); selecting `shipments` alone materializes only it
    and records no check (`context.selected_asset_check_keys` is empty); selecting `stock`
    records the check again."""
    file = pipeline("checks_multi_asset_subset")
    home = tmp_path / "home"
    run = cli_run(file, "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"warehouse": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert set(record.materializations) == {"stock", "shipments"}
    evals = [e.data for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"]
    assert [(d["check_name"], d["passed"]) for d in evals] == [("counted", True)]
    assert checks_list(file, home)["stock:counted"]["metadata"] == {"source": "scan"}

    only = cli_run(file, "materialize", "--select", "shipments", home=home)
    assert only.returncode == 0, only.stderr
    record = run_record(home, only.doc["run_id"])
    assert set(record.materializations) == {"shipments"}
    assert "ASSET_CHECK_EVALUATION" not in record.event_types()

    stock = cli_run(file, "materialize", "--select", "stock", home=home)
    assert stock.returncode == 0, stock.stderr
    record = run_record(home, stock.doc["run_id"])
    assert set(record.materializations) == {"stock"}
    assert [e.data["check_name"] for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"] == [
        "counted"
    ]
