"""Dagster's in-process testing of jobs and graphs (`execute_in_process`) on the pipelines a user
also runs through the CLI: results, outputs, events and errors as Dagster 1.13.28 gives them."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, pipeline_module, stored_op_output

import dagdeck as dg


def test_job_outputs_in_process_and_through_the_cli(tmp_path: Path) -> None:
    """Dagster 1.13.28: `numbers_job.execute_in_process()` succeeds; output_for_node("add_up") is
    12, output_for_node("scale") is [2, 4, 6]; the step successes are add_up, load_numbers, scale."""
    jobs = pipeline_module("testing_job_results")
    result = jobs.numbers_job.execute_in_process()
    assert result.success
    assert result.output_for_node("add_up") == 12
    assert result.output_for_node("scale") == [2, 4, 6]
    assert sorted(e.step_key for e in result.get_step_success_events()) == ["add_up", "load_numbers", "scale"]

    run = cli_run(pipeline("testing_job_results"), "job", "run", "numbers_job", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"load_numbers": "succeeded", "scale": "succeeded", "add_up": "succeeded"}
    assert stored_op_output(tmp_path / "home", run.doc["run_id"], "add_up") == 12


def test_run_config_object(tmp_path: Path) -> None:
    """Dagster 1.13.28: execute_in_process(run_config=RunConfig(ops={"scale": ScaleConfig(factor=5)}))
    gives add_up == 30."""
    jobs = pipeline_module("testing_job_results")
    result = jobs.numbers_job.execute_in_process(
        run_config=dg.RunConfig(ops={"scale": jobs.ScaleConfig(factor=5)})
    )
    assert result.success
    assert result.output_for_node("add_up") == 30


def test_mapped_op_outputs_by_mapping_key(tmp_path: Path) -> None:
    """Dagster 1.13.28: output_for_node("word_length") of the mapped op is {"alpha": 5, "beta": 4};
    step successes are split_words, word_length[alpha], word_length[beta]."""
    jobs = pipeline_module("testing_job_results")
    result = jobs.words_job.execute_in_process()
    assert result.output_for_node("word_length") == {"alpha": 5, "beta": 4}
    assert sorted(e.step_key for e in result.get_step_success_events()) == [
        "split_words",
        "word_length[alpha]",
        "word_length[beta]",
    ]


def test_graph_execute_in_process_output_value() -> None:
    """Dagster 1.13.28: numbers_graph.execute_in_process().output_value() is 12, the run's status is
    SUCCESS and its job name is the graph's name; events_for_node("add_up") has STEP_START ... STEP_SUCCESS
    (Dagster adds input/output handling events between them)."""
    jobs = pipeline_module("testing_job_results")
    result = jobs.numbers_graph.execute_in_process()
    assert result.output_value() == 12
    assert result.dagster_run.status.value == "SUCCESS"
    assert result.dagster_run.job_name == "numbers_graph"
    types = [e.event_type_value for e in result.events_for_node("add_up")]
    assert types[0] == "STEP_START" and types[-1] == "STEP_SUCCESS" and "STEP_OUTPUT" in types


def test_failing_op_raises_its_own_error_by_default(tmp_path: Path) -> None:
    """Dagster 1.13.28: validation_job.execute_in_process() raises the op's ValueError("expected at
    least 3 rows, got 2"); with raise_on_error=False the result is not successful, the failure events
    are for validate only, successes for fetch_rows only, and the run's status is FAILURE."""
    jobs = pipeline_module("testing_failures")
    with pytest.raises(ValueError, match="expected at least 3 rows, got 2"):
        jobs.validation_job.execute_in_process()
    result = jobs.validation_job.execute_in_process(raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["validate"]
    assert [e.step_key for e in result.get_step_success_events()] == ["fetch_rows"]
    assert result.get_step_failure_events()[0].is_step_failure
    assert result.dagster_run.status.value == "FAILURE"

    run = cli_run(pipeline("testing_failures"), "job", "run", "validation_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps["validate"] == "failed" and run.steps["fetch_rows"] == "succeeded"


def test_resources_given_to_execute_in_process() -> None:
    """Dagster 1.13.28: greeting_job.execute_in_process(run_config=name "bo", resources={"greeter":
    Greeter(punctuation="~")}) outputs "hello bo~" for greeting."""
    ctx = pipeline_module("testing_contexts")
    result = ctx.greeting_job.execute_in_process(
        run_config={"ops": {"greeting": {"config": {"name": "bo"}}}},
        resources={"greeter": ctx.Greeter(punctuation="~")},
    )
    assert result.output_for_node("greeting") == "hello bo~"


def test_op_selection_runs_only_the_selected_ops() -> None:
    """Dagster 1.13.28: numbers_job.execute_in_process(op_selection=["load_numbers"]) succeeds with
    one step success, load_numbers (output [1, 2, 3]); its run-level events are PIPELINE_START and
    PIPELINE_SUCCESS."""
    jobs = pipeline_module("testing_job_results")
    result = jobs.numbers_job.execute_in_process(op_selection=["load_numbers"])
    assert result.success
    assert [e.step_key for e in result.get_step_success_events()] == ["load_numbers"]
    assert result.output_for_node("load_numbers") == [1, 2, 3]
    run_events = [e.event_type_value for e in result.all_events if e.event_type_value.startswith("PIPELINE")]
    assert run_events == ["PIPELINE_START", "PIPELINE_SUCCESS"]
