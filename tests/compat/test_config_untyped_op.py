"""An op or asset with no config schema reading `context.op_config`: Dagster's schema is then
`Any`, so the run config's `config` value reaches the step as written."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, pipeline, stored_asset_value, stored_op_output

FILE = pipeline("config_untyped_op")


def test_op_without_schema_gets_the_config_as_written(tmp_path: Path) -> None:
    """Dagster 1.13.28: config_example with {"ops": {"uses_config": {"config": {"iterations": 2}},
    "echo_config": {"config": [1, "a"]}}} succeeds: uses_config returns 2, echo_config [1, 'a'];
    with echo_config's config 5 it returns 5; with no entry for echo_config, None."""
    home = tmp_path / "home"
    config = {"ops": {"uses_config": {"config": {"iterations": 2}}, "echo_config": {"config": [1, "a"]}}}
    run = cli_run(FILE, "job", "run", "config_example", "--config", json.dumps(config), home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"uses_config": "succeeded", "echo_config": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "uses_config") == 2
    assert stored_op_output(home, run.doc["run_id"], "echo_config") == [1, "a"]
    config["ops"]["echo_config"] = {"config": 5}
    run = cli_run(FILE, "job", "run", "config_example", "--config", json.dumps(config), home=home)
    assert stored_op_output(home, run.doc["run_id"], "echo_config") == 5
    del config["ops"]["echo_config"]
    run = cli_run(FILE, "job", "run", "config_example", "--config", json.dumps(config), home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "echo_config") is None


def test_op_without_schema_and_without_config_sees_none(tmp_path: Path) -> None:
    """Dagster 1.13.28: config_example without run config: uses_config fails with "TypeError:
    'NoneType' object is not subscriptable" (op_config is None), the run fails."""
    run = cli_run(FILE, "job", "run", "config_example", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps["uses_config"] == "failed"
    step = next(s for s in run.doc["steps"] if s["key"] == "uses_config")
    assert "NoneType" in json.dumps(step), step


def test_entry_without_schema_refuses_unknown_keys(tmp_path: Path) -> None:
    """Dagster 1.13.28: {"ops": {"echo_config": {"bogus": 1}}} is 'Received unexpected config entry
    "bogus" at path root:ops:echo_config'."""
    config = json.dumps({"ops": {"uses_config": {"config": {"iterations": 1}}, "echo_config": {"bogus": 1}}})
    line = cli_usage_error(FILE, "job", "run", "config_example", "--config", config, home=tmp_path)
    assert 'unexpected config entry "bogus" at path root:ops:echo_config' in line, line


def test_asset_without_schema_gets_the_config_as_written(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize greeting with {"ops": {"greeting": {"config": {"name": "Ada"}}}}
    stores 'hello Ada'; without run config 'hello nobody' (op_config None)."""
    home = tmp_path / "home"
    config = json.dumps({"ops": {"greeting": {"config": {"name": "Ada"}}}})
    run = cli_run(FILE, "materialize", "--select", "greeting", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "greeting") == "hello Ada"
    run = cli_run(FILE, "materialize", "--select", "greeting", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "greeting") == "hello nobody"
