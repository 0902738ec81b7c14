"""The smallest Dagster pipeline shape, through the CLI: the baseline every compat test builds on."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record, stored_metadata


def test_two_assets_materialize_with_metadata(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize` of both succeeds; `total` is materialized with metadata
    total=6 (an int) and `numbers` with no metadata."""
    run = cli_run(pipeline("basic_assets"), "materialize", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {"numbers": "succeeded", "total": "succeeded"}
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert record.metadata("total") == {"total": 6}
    assert stored_metadata(record, "numbers") == {}
