"""Several outputs, yielded Outputs, results that do not fit, MaterializeResult (issue 13, item 2)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import (
    cli_run,
    pipeline,
    run_record,
    stored_asset_value,
    stored_metadata,
    stored_op_output,
)


def test_yielded_outputs_with_metadata_feed_downstream_ops(tmp_path: Path) -> None:
    """Dagster 1.13.28: orders_job succeeds; split_orders yields `small` (metadata count=2) then
    `big`; total (fed `big`) is 1020 and total_small (fed `small`) is 35."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_outputs"), "job", "run", "orders_job", home=home)
    assert run.status == "SUCCESS", run.doc
    assert run.steps == {"split_orders": "succeeded", "total": "succeeded", "total_small": "succeeded"}
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "total") == 1020
    assert stored_op_output(home, run_id, "total_small") == 35
    outputs = [
        (e.data["output"], e.data.get("metadata"))
        for e in run_record(home, run_id).events
        if e.event_type == "STEP_OUTPUT" and e.step_key == "split_orders"
    ]
    assert [name for name, _ in outputs] == ["small", "big"]
    assert outputs[0][1]["count"]["value"] == 2


def test_results_that_do_not_fit_the_outputs(tmp_path: Path) -> None:
    """Dagster 1.13.28: broken_outputs_job fails with all four steps failed:
    yields_plain_value `DagsterInvariantViolationError: Compute function for op "yields_plain_value"
    yielded a value of type <class 'int'> rather than an instance of Output, AssetMaterialization, or
    ExpectationResult. ...`; yields_only_a (after its output `a`) `DagsterStepOutputNotFoundError:
    Core compute for op "yields_only_a" did not return an output for non-optional output "b"`;
    returns_one_value `op "returns_one_value" has multiple outputs, but only one output was returned
    of type <class 'int'>. ...`; returns_misnamed_output `Bad state: Output was explicitly named
    'other', which does not match the output definition specified for position 0: 'result'.`"""
    run = cli_run(pipeline("types_outputs"), "job", "run", "broken_outputs_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert set(run.steps.values()) == {"failed"} and len(run.steps) == 4
    errors = {s["key"]: s["error"] for s in run.doc["steps"]}
    assert errors["yields_plain_value"].startswith(
        'DagsterInvariantViolationError: Compute function for op "yields_plain_value" yielded a value of type '
        "<class 'int'> rather than an instance of Output, AssetMaterialization, or ExpectationResult."
    )
    assert errors["yields_only_a"] == (
        'DagsterStepOutputNotFoundError: Core compute for op "yields_only_a" did not return an output for '
        'non-optional output "b"'
    )
    assert errors["returns_one_value"].startswith(
        'DagsterInvariantViolationError: op "returns_one_value" has multiple outputs, but only one output was '
        "returned of type <class 'int'>."
    )
    assert errors["returns_misnamed_output"] == (
        "DagsterInvariantViolationError: Bad state: Output was explicitly named 'other', which does not match "
        "the output definition specified for position 0: 'result'."
    )


def test_materialize_result_with_and_without_a_value(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all fails only miscounted (`-> MaterializeResult[int]` with
    value "seven": `Type check failed for step output "result" - expected type "Int". Description:
    Value "seven" of python type "str" must be a int.`); written_elsewhere is materialized with rows=10
    and no value stored; counted (MaterializeResult(value=7)) is materialized with kind=count and its
    stored value is 7."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_outputs"), "materialize", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"written_elsewhere": "succeeded", "counted": "succeeded", "miscounted": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "miscounted")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "Int". '
        'Description: Value "seven" of python type "str" must be a int.'
    )
    record = run_record(home, run.doc["run_id"])
    assert record.metadata("written_elsewhere") == {"rows": 10}
    assert stored_metadata(record, "counted") == {"kind": "count"}
    assert stored_asset_value(home, "counted") == 7
    assert not (home / "storage" / "written_elsewhere").exists()
    assert (home / "storage" / "counted").exists()
