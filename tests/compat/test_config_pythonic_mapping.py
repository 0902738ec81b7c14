"""`@config_mapping` over a function whose parameter is a pydantic `Config`: the outer run config
is validated into an instance of it (Dagster's pythonic config mapping); errors in the outer config
or inside the mapping function are one line, before any run."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, load, pipeline, stored_op_output

import dagdeck as dg

FILE = pipeline("config_pythonic_mapping")
JOB = "do_it_all_with_simplified_config"


def test_config_mapping_receives_its_config_instance(tmp_path: Path) -> None:
    """Dagster 1.13.28: run config {"simplified_param": "stuff"} succeeds, do_something returns
    'stuff' (the mapping got a SimplifiedConfig instance, repeat defaulting to 1);
    {"simplified_param": "ab", "repeat": 3} returns 'ababab'."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", JOB, "--config", json.dumps({"simplified_param": "stuff"}), home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"do_something": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "do_something") == "stuff"
    result = dg.materialize(load(FILE), job_name=JOB, run_config={"simplified_param": "ab", "repeat": 3})
    assert result.success and result.output_for_node("do_something") == "ababab"


def test_outer_config_checked_against_the_config_class(tmp_path: Path) -> None:
    """Dagster 1.13.28: {} is 'Error in config mapping: Missing required config entry
    "simplified_param" at the root'; {"simplified_param": "a", "extra": 1} is 'Received unexpected
    config entry "extra" at the root'; {"simplified_param": 5} is 'Invalid scalar at path
    root:simplified_param'. No run starts."""
    cases = [
        ({}, 'Missing required config entry "simplified_param" at the root'),
        ({"simplified_param": "a", "extra": 1}, 'unexpected config entry "extra" at the root'),
        ({"simplified_param": 5}, "at path root:simplified_param"),
    ]
    for i, (config, words) in enumerate(cases):
        line = cli_usage_error(
            FILE, "job", "run", JOB, "--config", json.dumps(config), home=tmp_path / str(i)
        )
        assert words in line and JOB in line, line


def test_graph_config_mapping_with_a_config_class(tmp_path: Path) -> None:
    """Dagster 1.13.28: greeting_job without run config returns 'hello world' from
    greeting.do_something (GreetingConfig's default name); with {"ops": {"greeting": {"config":
    {"name": "Ada"}}}} 'hello Ada'."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "greeting_job", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "greeting.do_something") == "hello world"
    config = json.dumps({"ops": {"greeting": {"config": {"name": "Ada"}}}})
    run = cli_run(FILE, "job", "run", "greeting_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "greeting.do_something") == "hello Ada"


def test_a_mapping_function_that_raises_is_a_config_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: ratio_job with {"divisor": 4} returns 250 from scale; with {"divisor": 0}
    execute_in_process raises DagsterConfigMappingFunctionError ('The config mapping function on
    job ratio_job has thrown an unexpected error') before the run starts."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "ratio_job", "--config", json.dumps({"divisor": 4}), home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "scale") == 250
    line = cli_usage_error(
        FILE, "job", "run", "ratio_job", "--config", '{"divisor": 0}', home=tmp_path / "bad"
    )
    assert "ratio_config" in line and "ZeroDivisionError" in line, line
