"""The `path` metadata entry the filesystem IO manager adds to each asset it stores."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record


def test_stored_assets_record_their_path(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all succeeds; raw_numbers's materialization metadata is
    {'path': PathMetadataValue('<storage>/raw_numbers')}, warehouse/totals's is {'count': 3, 'path':
    PathMetadataValue('<storage>/warehouse/totals')} (the user's entry first), and exported, a
    MaterializeResult without a value (nothing stored), has only {'rows': 1}."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_fs_path_metadata"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert set(run.steps.values()) == {"succeeded"} and len(run.steps) == 3
    record = run_record(home, run.doc["run_id"])
    storage = (home / "storage").resolve()
    assert record.materializations["raw_numbers"][-1] == {
        "path": {"type": "path", "value": str(storage / "raw_numbers")}
    }
    totals = record.materializations["warehouse/totals"][-1]
    assert list(totals) == ["count", "path"]
    assert totals["path"] == {"type": "path", "value": str(storage / "warehouse" / "totals")}
    assert record.metadata("warehouse/totals")["count"] == 3
    assert record.metadata("exported") == {"rows": 1}
