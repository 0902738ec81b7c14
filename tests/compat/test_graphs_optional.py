"""Optional outputs (`Out(is_required=False)`): ops that consume an output that was not yielded are
skipped, the skip travels downstream, fan-in keeps the values that exist, and the run succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, stored_op_output


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_branch_not_taken_is_skipped(tmp_path: Path, executor: str) -> None:
    """Dagster 1.13.28: `branching` succeeds; branch and handle_even succeed (handle_even returns
    40); handle_odd, after_odd and gather_none (a fan-in of two missing values) are skipped;
    gather_mixed (fan-in of handle_even and the skipped handle_odd) succeeds with [40]."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_optional"), "job", "run", "branching", "--executor", executor, home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {
        "branch": "succeeded",
        "handle_even": "succeeded",
        "handle_odd": "skipped",
        "after_odd": "skipped",
        "gather_mixed": "succeeded",
        "gather_none": "skipped",
    }
    assert stored_op_output(home, run.doc["run_id"], "gather_mixed") == [40]
    assert stored_op_output(home, run.doc["run_id"], "handle_even") == 40


def test_required_output_not_yielded_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: forgets_second fails with DagsterStepOutputNotFoundError 'Core compute for op
    "forgets_second" did not return an output for non-optional output "second"'; the run fails and
    neither consumer runs."""
    run = cli_run(pipeline("graphs_optional"), "job", "run", "missing_required", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"forgets_second": "failed", "handle_even": "skipped", "handle_odd": "skipped"}
    error = run.doc["steps"][0]["error"]
    assert (
        'Core compute for op "forgets_second" did not return an output for non-optional output "second"'
        in error
    )


def test_single_optional_output_not_yielded(tmp_path: Path) -> None:
    """Dagster 1.13.28: maybe_value (one optional output, yields nothing) succeeds, handle_even is
    skipped and the run succeeds."""
    run = cli_run(pipeline("graphs_optional"), "job", "run", "nothing_yielded", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {"maybe_value": "succeeded", "handle_even": "skipped"}
