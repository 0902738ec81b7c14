"""`@multi_asset_check`, and the errors a step with declared checks reports, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compat_helpers import cli, cli_run, pipeline, run_record


def checks_list(file: Path, home: Path) -> dict[str, dict[str, Any]]:
    """`dagdeck checks list --json` keyed `asset:check`."""
    proc = cli(file, "checks", "list", "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    return {f"{r['asset_key']}:{r['name']}": r for r in json.loads(proc.stdout)}


def step_error(run: Any, key: str) -> str:
    return next(s["error"] for s in run.doc["steps"] if s["key"] == key)


def test_multi_asset_check_runs_as_one_step_after_its_assets(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize` runs daily_sales, weekly_sales and then one step
    `sales_checks` (named after the function) that records daily_sales:daily_positive (passed,
    metadata total=60) and weekly_sales:weekly_matches (failed WARN, description
    'weekly 150 != 7 x daily 60'); every step succeeds."""
    file = pipeline("checks_multi_check")
    home = tmp_path / "home"
    run = cli_run(file, "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"daily_sales": "succeeded", "weekly_sales": "succeeded", "sales_checks": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    evals = {e.data["check_name"]: e for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"}
    assert {n: (e.step_key, e.asset_key) for n, e in evals.items()} == {
        "daily_positive": ("sales_checks", "daily_sales"),
        "weekly_matches": ("sales_checks", "weekly_sales"),
    }
    assert evals["weekly_matches"].data["description"] == "weekly 150 != 7 x daily 60"
    checks = checks_list(file, home)
    assert checks["daily_sales:daily_positive"]["passed"] is True
    assert checks["daily_sales:daily_positive"]["metadata"] == {"total": 60}
    assert (
        checks["weekly_sales:weekly_matches"]["passed"],
        checks["weekly_sales:weekly_matches"]["severity"],
    ) == (
        False,
        "WARN",
    )


def test_multi_asset_check_runs_alone(tmp_path: Path) -> None:
    """Dagster 1.13.28: after the assets are materialized, selecting only the checks of
    `sales_checks` (AssetSelection.checks) runs just step `sales_checks`, which records
    daily_positive passed and weekly_matches failed again."""
    file = pipeline("checks_multi_check")
    home = tmp_path / "home"
    assert cli_run(file, "materialize", home=home).returncode == 0
    proc = cli(file, "checks", "run", "sales_checks", "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {s["key"]: s["status"] for s in doc["steps"]} == {"sales_checks": "succeeded"}
    record = run_record(home, doc["run_id"])
    assert sorted(
        (e.data["check_name"], e.data["passed"])
        for e in record.events
        if e.event_type == "ASSET_CHECK_EVALUATION"
    ) == [("daily_positive", True), ("weekly_matches", False)]


def test_multi_asset_check_blocking_and_missing_results_fail_its_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: step `ledger_checks` records ledger:balanced (failed, ERROR) and fails with
    DagsterAssetCheckFailedError '1 blocking asset check failed with ERROR severity:\\nledger:
    balanced', so `report` (downstream of ledger) is not executed; step `audit_checks` records
    audit_log:complete (passed) and fails with DagsterStepOutputNotFoundError naming output
    "audit_log_signed"; ledger and audit_log succeed; the run fails."""
    file = pipeline("checks_multi_check_blocking")
    home = tmp_path / "home"
    run = cli_run(file, "materialize", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {
        "ledger": "succeeded",
        "audit_log": "succeeded",
        "ledger_checks": "failed",
        "audit_checks": "failed",
        "report": "skipped",
    }
    assert step_error(run, "ledger_checks") == (
        "DagsterAssetCheckFailedError: 1 blocking asset check failed with ERROR severity:\nledger: balanced"
    )
    assert step_error(run, "audit_checks") == (
        'DagsterStepOutputNotFoundError: Core compute for op "audit_checks" did not return an output for '
        'non-optional output "audit_log_signed"'
    )
    checks = checks_list(file, home)
    assert (checks["ledger:balanced"]["passed"], checks["ledger:balanced"]["severity"]) == (False, "ERROR")
    assert checks["ledger:balanced"]["blocking"] is True
    assert checks["audit_log:complete"]["passed"] is True
    assert checks["audit_log:signed"]["passed"] is None


def test_result_for_an_undeclared_check_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `prices` is materialized, then its step fails with
    DagsterInvariantViolationError 'Received unexpected AssetCheckResult. No checks currently
    being evaluated target asset 'prices' and have name 'fresh'. Checks being evaluated for this
    asset: {'non_negative'}'."""
    file = pipeline("checks_unexpected_result")
    run = cli_run(file, "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"prices": "failed"}
    assert step_error(run, "prices") == (
        "DagsterInvariantViolationError: Received unexpected AssetCheckResult. No checks currently being "
        "evaluated target asset 'prices' and have name 'fresh'. Checks being evaluated for this asset: "
        "{'non_negative'}"
    )
    assert "prices" in run_record(tmp_path / "home", run.doc["run_id"]).materializations


def test_check_results_without_check_specs_fail_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `totals` (MaterializeResult(check_results=[...])) fails before it is
    materialized and `averages` (yields its Output, then an AssetCheckResult) fails after its
    materialization, both with DagsterInvariantViolationError 'Received unexpected
    AssetCheckResult. No AssetCheckSpecs were found for this step.You may need to set
    `check_specs` on the asset decorator, ...'; no check evaluation is recorded."""
    file = pipeline("checks_undeclared")
    run = cli_run(file, "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"totals": "failed", "averages": "failed"}
    for key in ("totals", "averages"):
        assert step_error(run, key) == (
            "DagsterInvariantViolationError: Received unexpected AssetCheckResult. No AssetCheckSpecs were found "
            "for this step.You may need to set `check_specs` on the asset decorator, or you may be emitting an "
            "AssetCheckResult that isn't in the subset passed in `context.selected_asset_check_keys`."
        )
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert set(record.materializations) == {"averages"}
    assert "ASSET_CHECK_EVALUATION" not in record.event_types()
