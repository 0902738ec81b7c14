"""`input_values=`: values for the inputs of the graph a job is made from."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from compat_helpers import cli_run, pipeline, stored_op_output

import dagdeck as dg
from dagdeck.core.errors import DefinitionError


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("input_values_pipeline", pipeline("graphs_input_values"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_to_job_input_values_feed_the_graph_input() -> None:
    """Dagster 1.13.28: plus_one_doubled.to_job(input_values={"x": 5}).execute_in_process()
    succeeds; add_one outputs 6, double outputs 12, output_value() is 12, and the run's run
    config stays {} (input values are not run config)."""
    result = _module().plus_one_job.execute_in_process()
    assert result.success
    assert result.output_for_node("add_one") == 6
    assert result.output_for_node("double") == 12
    assert result.output_value() == 12
    assert result.dagster_run.run_config == {}


def test_execute_in_process_input_values_override() -> None:
    """Dagster 1.13.28: execute_in_process(input_values={"x": 9}) on that job replaces its value
    (double outputs 20); on graph.to_job() without values it supplies them (x=7: 16)."""
    m = _module()
    assert m.plus_one_job.execute_in_process(input_values={"x": 9}).output_for_node("double") == 20
    assert m.plus_one_doubled.to_job().execute_in_process(input_values={"x": 7}).output_for_node("double") == 16
    assert m.plus_one_doubled.execute_in_process(input_values={"x": 0}).output_value() == 2


def test_input_value_for_an_unknown_input_is_refused() -> None:
    """Dagster 1.13.28: to_job(input_values={"y": 5}) raises DagsterInvalidDefinitionError
    "Input value provided for key 'y', but job has no top-level input with that name."; so does
    @job(input_values={"x": 10}) on a job body without inputs."""
    m = _module()
    with pytest.raises(DefinitionError, match="Input value provided for key 'y', but job has no top-level input"):
        m.plus_one_doubled.to_job(input_values={"y": 5})
    with pytest.raises(DefinitionError, match="Input value provided for key 'x'"):

        @dg.job(input_values={"x": 10})
        def no_inputs() -> None:
            m.add_one()


def test_input_value_is_type_checked() -> None:
    """Dagster 1.13.28: to_job(input_values={"x": "five"}) for `x: int` fails the add_one step
    with DagsterTypeCheckDidNotPass (raised by execute_in_process)."""
    job = _module().plus_one_doubled.to_job(input_values={"x": "five"})
    with pytest.raises(dg.DagsterTypeCheckDidNotPass):
        job.execute_in_process()


def test_job_with_input_values_runs_through_the_cli(tmp_path: Path) -> None:
    """Dagster 1.13.28: plus_one_job (input x=5) runs as a launched run as in process: add_one 6,
    double 12, both steps succeeded."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_input_values"), "job", "run", "plus_one_job", home=home)
    assert run.status == "SUCCESS", run.stderr
    assert run.steps == {"add_one": "succeeded", "double": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "double") == 12
