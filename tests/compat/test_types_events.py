"""Events a step yields or logs: AssetMaterialization, AssetObservation, ExpectationResult
(issue 13, item 2)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli, cli_run, pipeline, run_record, stored_asset_value, stored_metadata


def _plain(metadata: dict) -> dict:
    return {k: v["value"] if isinstance(v, dict) and "value" in v else v for k, v in (metadata or {}).items()}


def test_op_reports_materializations_observations_and_expectations(tmp_path: Path) -> None:
    """Dagster 1.13.28: export_job succeeds; in order, export_csv records ASSET_MATERIALIZATION of
    `exported_csv` (not defined by any asset) with description "Persisted the export" and metadata
    rows=3, path=/tmp/export.csv; STEP_EXPECTATION_RESULT rows_positive success=True with description
    "rows > 0" and metadata rows=3; ASSET_OBSERVATION of `warehouse/orders` with row_count=120;
    STEP_EXPECTATION_RESULT no_nulls success=False (message "Expectation no_nulls failed");
    ASSET_MATERIALIZATION of `export_index` ("Materialized value export_index."); then its output.
    Dagster's console log (the step's stderr) has a STEP_EXPECTATION_RESULT line for each expectation."""
    home = tmp_path / "home"
    file = pipeline("types_events")
    run = cli_run(file, "job", "run", "export_job", home=home)
    assert run.status == "SUCCESS", run.doc
    record = run_record(home, run.doc["run_id"])
    events = [
        e
        for e in record.events
        if e.event_type
        in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION", "STEP_EXPECTATION_RESULT", "STEP_OUTPUT")
    ]
    assert [(e.event_type, e.asset_key) for e in events] == [
        ("ASSET_MATERIALIZATION", "exported_csv"),
        ("STEP_EXPECTATION_RESULT", None),
        ("ASSET_OBSERVATION", "warehouse/orders"),
        ("STEP_EXPECTATION_RESULT", None),
        ("ASSET_MATERIALIZATION", "export_index"),
        ("STEP_OUTPUT", None),
    ]
    assert all(e.step_key == "export_csv" for e in events)
    mat, ok, obs, failed, index, _ = events
    assert mat.message == "Persisted the export"
    assert _plain(mat.data["metadata"]) == {"rows": 3, "path": "/tmp/export.csv"}
    assert (ok.data["label"], ok.data["success"], ok.data["description"]) == (
        "rows_positive",
        True,
        "rows > 0",
    )
    assert _plain(ok.data["metadata"]) == {"rows": 3}
    assert _plain(obs.data["metadata"]) == {"row_count": 120}
    assert (failed.data["label"], failed.data["success"], failed.message) == (
        "no_nulls",
        False,
        "Expectation no_nulls failed",
    )
    assert index.message == "Materialized value export_index."
    assert record.metadata("exported_csv") == {"rows": 3, "path": "/tmp/export.csv"}
    # the reported key has history like any asset: `runs show` lists it with the run
    shown = cli(file, "runs", "show", run.doc["run_id"], home=home)
    assert "exported_csv" in shown.stdout
    # expectation results are lines of the step's log, as in Dagster's compute logs
    logs = cli(file, "runs", "logs", run.doc["run_id"], home=home)
    assert "export_csv.stderr: export_csv - STEP_EXPECTATION_RESULT - rows > 0" in logs.stdout
    assert (
        "export_csv.stderr: export_csv - STEP_EXPECTATION_RESULT - Expectation no_nulls failed" in logs.stdout
    )


def test_asset_yields_another_keys_materialization(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing sales succeeds with two materializations in order:
    `sales_backup` (copies=2) then `sales` itself (count=2); sales' stored value is [10, 20]."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_events"), "materialize", home=home)
    assert run.status == "SUCCESS", run.doc
    record = run_record(home, run.doc["run_id"])
    assert list(record.materializations) == ["sales_backup", "sales"]
    assert record.metadata("sales_backup") == {"copies": 2}
    assert stored_metadata(record, "sales") == {"count": 2}
    assert stored_asset_value(home, "sales") == [10, 20]
