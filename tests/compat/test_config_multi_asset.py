"""`@multi_asset(config_schema=...)`: run config is keyed by the multi-asset's op name."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, load, pipeline, stored_asset_value

import dagdeck as dg

FILE = pipeline("config_multi_asset")


def test_multi_asset_config_default_and_given(tmp_path: Path) -> None:
    """Dagster 1.13.28: without run config users=[0, 1] and orders=[0, 1, 2, 3] (sample_size 2 by
    default); with {"ops": {"sampled_tables": {"config": {"sample_size": 3}}}} users=[0, 1, 2] and
    orders=[0, 1, 2, 3, 4, 5]."""
    home = tmp_path / "home"
    run = cli_run(FILE, "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"sampled_tables": "succeeded"}
    assert (stored_asset_value(home, "users"), stored_asset_value(home, "orders")) == ([0, 1], [0, 1, 2, 3])
    config = json.dumps({"ops": {"sampled_tables": {"config": {"sample_size": 3}}}})
    run = cli_run(FILE, "materialize", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "users") == [0, 1, 2]
    assert stored_asset_value(home, "orders") == [0, 1, 2, 3, 4, 5]


def test_multi_asset_config_is_not_keyed_by_an_asset_name(tmp_path: Path) -> None:
    """Dagster 1.13.28: config under "users" (an asset of the multi-asset, not its op) is
    'Received unexpected config entry "users" at path root:ops'."""
    config = json.dumps({"ops": {"users": {"config": {"sample_size": 3}}}})
    line = cli_usage_error(FILE, "materialize", "--config", config, home=tmp_path)
    assert "unknown step 'users'" in line and "at path root:ops" in line


def test_multi_asset_outputs_in_process_by_op_and_output_name() -> None:
    """Dagster 1.13.28: dg.materialize([sampled_tables], run_config={"ops": {"sampled_tables":
    {"config": {"sample_size": 3}}}}).output_for_node("sampled_tables", "users") is [0, 1, 2] and
    ("sampled_tables", "orders") [0, 1, 2, 3, 4, 5]."""
    result = dg.materialize(
        load(FILE), run_config={"ops": {"sampled_tables": {"config": {"sample_size": 3}}}}
    )
    assert result.success
    assert result.output_for_node("sampled_tables", "users") == [0, 1, 2]
    assert result.output_for_node("sampled_tables", "orders") == [0, 1, 2, 3, 4, 5]
