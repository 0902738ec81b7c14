"""`@asset(config_schema=...)` through `materialize`, and `define_asset_job(config=...)` as the
default config of the job's runs, merged field by field with the config a run gives."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, pipeline, run_record, stored_asset_value

FILE = pipeline("config_assets")


def test_asset_config_defaults_and_given_values(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing raw_table without config stores [0, 1, 2] with metadata
    rows=3, name='orders' (the defaults); with {"rows": 2} it stores [0, 1], rows=2 (Dagster's IO
    manager adds a `path` entry too)."""
    home = tmp_path / "home"
    run = cli_run(FILE, "materialize", "--select", "raw_table", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"raw_table": "succeeded"}
    assert stored_asset_value(home, "raw_table") == [0, 1, 2]
    assert (
        run_record(home, run.doc["run_id"]).metadata("raw_table").items()
        >= {"rows": 3, "name": "orders"}.items()
    )
    config = json.dumps({"ops": {"raw_table": {"config": {"rows": 2}}}})
    run = cli_run(FILE, "materialize", "--select", "raw_table", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "raw_table") == [0, 1]
    assert run_record(home, run.doc["run_id"]).metadata("raw_table")["rows"] == 2


def test_asset_with_required_config_needs_it(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing both assets without config raises DagsterInvalidConfigError
    before the run: 'Missing required config entry "ops" at the root ... {'ops': {'scaled_table':
    {'config': {'factor': 0}}}}' (scaled_table's `factor` has no default)."""
    line = cli_usage_error(FILE, "materialize", "--select", "raw_table,scaled_table", home=tmp_path)
    assert "step 'scaled_table'" in line
    assert 'missing required config entry "scaled_table" at path root:ops' in line


def test_asset_job_config_is_the_default_and_a_run_overrides_one_field(tmp_path: Path) -> None:
    """Dagster 1.13.28: `scaled_job` without run config succeeds with its own config: raw_table
    [0, 1, 2, 3] (rows 4) and scaled_table [0, 10, 20, 30]; run config giving only scaled_table's
    factor 2 keeps the job's rows=4: [0, 1, 2, 3] and [0, 2, 4, 6]."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "scaled_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"raw_table": "succeeded", "scaled_table": "succeeded"}
    assert stored_asset_value(home, "raw_table") == [0, 1, 2, 3]
    assert stored_asset_value(home, "scaled_table") == [0, 10, 20, 30]
    assert run_record(home, run.doc["run_id"]).metadata("raw_table")["rows"] == 4
    config = json.dumps({"ops": {"scaled_table": {"config": {"factor": 2}}}})
    run = cli_run(FILE, "job", "run", "scaled_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "raw_table") == [0, 1, 2, 3]
    assert stored_asset_value(home, "scaled_table") == [0, 2, 4, 6]
