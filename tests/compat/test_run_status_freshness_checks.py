"""`build_last_update_freshness_checks`, run with the assets they check and on their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compat_helpers import cli_run, load, pipeline, run_record

from dagdeck.core.defs.checks import AssetCheckSeverity


def _checks(home: Path, run_id: str) -> dict[str, dict[str, Any]]:
    """Asset key -> the check evaluation's data, for the freshness checks of a run."""
    record = run_record(home, run_id)
    return {
        e.asset_key: e.data
        for e in record.events
        if e.event_type == "ASSET_CHECK_EVALUATION" and e.data.get("check_name") == "freshness_check"
    }


def test_one_multi_check_declares_a_freshness_check_per_asset() -> None:
    """Dagster 1.13.28: build_last_update_freshness_checks(assets=[hourly_prices, stale_feed],
    lower_bound_delta=30 min) returns one checks definition whose check keys are
    hourly_prices:freshness_check and stale_feed:freshness_check."""
    checks = load(pipeline("run_status_freshness_checks")).asset_checks
    assert sorted(c.key.to_user_string() for c in checks) == [
        "hourly_prices:freshness_check",
        "stale_feed:freshness_check",
    ]
    assert len({c.step_key for c in checks}) == 1


def test_freshness_check_passes_right_after_a_materialization(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing hourly_prices with the checks in the list evaluates only
    hourly_prices' freshness check: passed, severity WARN, description "Asset is currently fresh...",
    metadata dagster/freshness_params {"timezone": "UTC", "lower_bound_delta_seconds": 1800.0},
    dagster/last_updated_timestamp (the materialization), dagster/fresh_until_timestamp (that + 1800)
    and dagster/freshness_lower_bound_timestamp."""
    file, home = pipeline("run_status_freshness_checks"), tmp_path / "home"
    run = cli_run(file, "materialize", "--select", "hourly_prices", home=home)
    assert run.status == "SUCCESS"
    checks = _checks(home, run.doc["run_id"])
    assert list(checks) == ["hourly_prices"]
    data = checks["hourly_prices"]
    assert data["passed"] is True and data["severity"] == AssetCheckSeverity.WARN
    assert data["description"].startswith("Asset is currently fresh")
    meta = {k: v["value"] for k, v in data["metadata"].items()}
    assert meta["dagster/freshness_params"] == {"timezone": "UTC", "lower_bound_delta_seconds": 1800.0}
    mat = run_record(home, run.doc["run_id"]).events
    materialized_at = next(e.timestamp for e in mat if e.event_type == "ASSET_MATERIALIZATION")
    assert abs(meta["dagster/last_updated_timestamp"] - materialized_at) < 1e-3
    assert meta["dagster/fresh_until_timestamp"] == meta["dagster/last_updated_timestamp"] + 1800.0
    assert meta["dagster/freshness_lower_bound_timestamp"] < meta["dagster/last_updated_timestamp"]


def test_freshness_check_fails_for_an_asset_never_materialized(tmp_path: Path) -> None:
    """Dagster 1.13.28: evaluating stale_feed's freshness check before stale_feed was ever
    materialized gives passed False, severity WARN, "Asset has never been observed/materialized.",
    and the run still succeeds (a failed WARN check does not fail it)."""
    file, home = pipeline("run_status_freshness_checks"), tmp_path / "home"
    assert cli_run(file, "materialize", "--select", "hourly_prices", home=home).status == "SUCCESS"
    run = cli_run(file, "checks", "run", "freshness_check", home=home)
    assert run.status == "SUCCESS"
    checks = _checks(home, run.doc["run_id"])
    stale = checks["stale_feed"]
    assert (stale["passed"], stale["severity"]) == (False, AssetCheckSeverity.WARN)
    assert stale["description"] == "Asset has never been observed/materialized."
    assert checks["hourly_prices"]["passed"] is True
