"""A schedule or asset job whose group selection matches no asset (Dagster's schedules docs)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli, cli_run, pipeline


def test_schedule_on_an_unused_group_loads_and_its_job_runs_no_steps(tmp_path: Path) -> None:
    """Dagster 1.13.28: the Definitions load; the repository has the jobs
    __anonymous_asset_job_basic_asset_schedule and empty_group_job besides __ASSET_JOB, both with
    no nodes; executing either succeeds with no steps."""
    home = tmp_path / "home"
    checked = cli(pipeline("legacy_empty_group_schedule"), "check", home=home)
    assert checked.returncode == 0, checked.stderr
    for job_name in ("__anonymous_asset_job_basic_asset_schedule", "empty_group_job"):
        run = cli_run(pipeline("legacy_empty_group_schedule"), "job", "run", job_name, home=home)
        assert run.returncode == 0, run.stderr
        assert run.status == "SUCCESS"
        assert run.steps == {}


def test_other_assets_still_materialize(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all assets runs my_asset, which succeeds."""
    run = cli_run(pipeline("legacy_empty_group_schedule"), "materialize", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"my_asset": "succeeded"}
