"""A tuple of Output objects returned from an op with several outputs (Dagster's op events docs)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, stored_op_output


def test_tuple_of_default_named_outputs_fills_outputs_by_position(tmp_path: Path) -> None:
    """Dagster 1.13.28: my_multiple_generic_output_op returning (Output(5), Output("foo")) under
    `-> Tuple[Output[int], Output[str]]` succeeds: int_out is 5, str_out is "foo" (matched by
    position), and combine downstream gets them and returns "foo5"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_tuple_outputs"), "job", "run", "tuple_outputs_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"my_multiple_generic_output_op": "succeeded", "combine": "succeeded"}
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "my_multiple_generic_output_op", "int_out") == 5
    assert stored_op_output(home, run_id, "my_multiple_generic_output_op", "str_out") == "foo"
    assert stored_op_output(home, run_id, "combine") == "foo5"


def test_tuple_output_named_for_another_position_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: returning (Output(1, "second"), Output(2, "first")) for outputs first,
    second fails the step with DagsterInvariantViolationError "Bad state: Output was explicitly
    named 'second', which does not match the output definition specified for position 0:
    'first'." and the run fails."""
    home = tmp_path / "home"
    run = cli_run(pipeline("legacy_tuple_outputs"), "job", "run", "misnamed_outputs_job", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"named_in_wrong_order": "failed"}
    error = run.doc["steps"][0]["error"]
    assert "DagsterInvariantViolationError" in error
    assert (
        "Bad state: Output was explicitly named 'second', which does not match the output definition "
        "specified for position 0: 'first'." in error
    )
