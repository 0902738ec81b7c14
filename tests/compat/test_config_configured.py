"""`configured(op, name=)(config)`, `op.configured(config, name=)` and `@configured(op,
config_schema=)`; and the error for an op that mixes a pydantic `config` parameter with
`config_schema=`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compat_helpers import cli_run, cli_usage_error, load, pipeline, stored_op_output

import dagdeck as dg

FILE = pipeline("config_configured")


def test_configured_ops_run_with_their_config(tmp_path: Path) -> None:
    """Dagster 1.13.28: with {"ops": {"upload_for_env": {"config": {"env": "prod"}}}} the three
    steps upload_eu, upload_us, upload_for_env succeed; upload_eu returns {'region': 'eu-west-1',
    'bucket': 'eu-data', 'retries': 1} (the original default filled), upload_us the fixed retries 5,
    upload_for_env {'region': 'eu-west-1', 'bucket': 'prod-bucket', 'retries': 1}."""
    home = tmp_path / "home"
    config = json.dumps({"ops": {"upload_for_env": {"config": {"env": "prod"}}}})
    run = cli_run(FILE, "job", "run", "upload_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"upload_eu": "succeeded", "upload_us": "succeeded", "upload_for_env": "succeeded"}
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "upload_eu") == {
        "region": "eu-west-1",
        "bucket": "eu-data",
        "retries": 1,
    }
    assert stored_op_output(home, run_id, "upload_us") == {
        "region": "us-east-1",
        "bucket": "us-data",
        "retries": 5,
    }
    assert stored_op_output(home, run_id, "upload_for_env") == {
        "region": "eu-west-1",
        "bucket": "prod-bucket",
        "retries": 1,
    }


def test_config_given_to_a_fixed_op_is_ignored(tmp_path: Path) -> None:
    """Dagster 1.13.28: run config {"region": "x"} for upload_eu (whose config is fixed) is
    accepted and ignored: upload_eu still returns region 'eu-west-1'."""
    home = tmp_path / "home"
    config = json.dumps(
        {"ops": {"upload_for_env": {"config": {"env": "prod"}}, "upload_eu": {"config": {"region": "x"}}}}
    )
    run = cli_run(FILE, "job", "run", "upload_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "upload_eu")["region"] == "eu-west-1"


def test_configured_schema_is_the_new_ops_schema(tmp_path: Path) -> None:
    """Dagster 1.13.28: without config for upload_for_env the run is refused ('Missing required
    config entry "ops" ... {'ops': {'upload_for_env': {'config': {'env': '...'}}}}'); with
    {"env": 3}: 'Invalid scalar at path root:ops:upload_for_env:config:env. Value "3" ...
    "String"'. The new ops are OpDefinitions named upload_eu, upload_us and upload_for_env."""
    line = cli_usage_error(FILE, "job", "run", "upload_job", home=tmp_path / "a")
    assert 'missing required config entry "upload_for_env" at path root:ops' in line
    config = json.dumps({"ops": {"upload_for_env": {"config": {"env": 3}}}})
    line = cli_usage_error(FILE, "job", "run", "upload_job", "--config", config, home=tmp_path / "b")
    assert 'Invalid scalar at path root:ops:upload_for_env:config:env. Value "3"' in line
    nodes = load(FILE).op_jobs["upload_job"].nodes
    assert {name: type(node.op).__name__ for name, node in nodes.items()} == {
        "upload_eu": "OpDefinition",
        "upload_us": "OpDefinition",
        "upload_for_env": "OpDefinition",
    }


def test_configured_op_needs_a_name() -> None:
    """Dagster 1.13.28: `configured(op)({...})` without a name is refused at definition time
    (CheckError: Expected non-None value: None); dagdeck says which op and how to fix it."""

    @dg.op(config_schema={"n": int})
    def count(context) -> int:
        return context.op_config["n"]

    with pytest.raises(dg.DefinitionError, match="needs a name"):
        dg.configured(count)({"n": 1})


def test_pydantic_config_and_config_schema_together_is_a_load_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: importing the file fails at the decorator: 'If the @op has a config arg,
    you cannot specify a config schema'. dagdeck: exit 2, one line naming the file, the op and the
    fix, no run."""
    line = cli_usage_error(pipeline("config_mixed_styles"), "job", "run", "rows_job", home=tmp_path)
    assert "config_mixed_styles.py:" in line and "op check_rows" in line
    assert "config_schema" in line and "fix:" in line
