"""Custom DagsterTypes on In/Out, with TypeCheck results (issue 13, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, pipeline_module, stored_op_output

import dagdeck as dg


def test_typed_ops_pass(tmp_path: Path) -> None:
    """Dagster 1.13.28: even_job succeeds; make_even's EvenInt output (4) and halve's Positive input
    pass their checks; halve's output is 2."""
    run = cli_run(pipeline("types_dagster_type"), "job", "run", "even_job", home=tmp_path / "home")
    assert run.status == "SUCCESS", run.doc
    assert run.steps == {"make_even": "succeeded", "halve": "succeeded"}
    assert stored_op_output(tmp_path / "home", run.doc["run_id"], "halve") == 2


def test_input_type_check_fails_the_consuming_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: negative_job fails; make_negative succeeds, must_be_positive fails with
    `DagsterTypeCheckDidNotPass: Type check failed for step input "n" - expected type "Positive".
    Description: -3 is not positive`."""
    run = cli_run(pipeline("types_dagster_type"), "job", "run", "negative_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"make_negative": "succeeded", "must_be_positive": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "must_be_positive")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step input "n" - expected type "Positive". '
        "Description: -3 is not positive"
    )


def test_bool_type_check_without_description(tmp_path: Path) -> None:
    """Dagster 1.13.28: odd_job fails; make_odd fails with `Type check failed for step output
    "result" - expected type "EvenInt". Description: None` (a bool check has no description)."""
    run = cli_run(pipeline("types_dagster_type"), "job", "run", "odd_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"make_odd": "failed"}
    assert run.doc["steps"][0]["error"] == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "EvenInt". '
        "Description: None"
    )


def test_direct_calls_and_check_dagster_type() -> None:
    """Dagster 1.13.28: `must_be_positive(-5)` raises DagsterTypeCheckDidNotPass `Type check failed for
    op "must_be_positive" input "n" - expected type "Positive". Description: -5 is not positive`;
    `make_odd()` raises `... op "make_odd" output "result" - expected type "EvenInt". Description:
    None`; `halve(8)` is 4; `check_dagster_type(EvenInt, 3)` is TypeCheck(success=False,
    description=None); `check_dagster_type(Positive, 2).metadata` holds value=2; EvenInt's
    display_name is "EvenInt" and description "An even integer"."""
    mod = pipeline_module("types_dagster_type")
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as err:
        mod.must_be_positive(-5)
    assert str(err.value) == (
        'Type check failed for op "must_be_positive" input "n" - expected type "Positive". '
        "Description: -5 is not positive"
    )
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as err:
        mod.make_odd()
    assert str(err.value).endswith(
        'op "make_odd" output "result" - expected type "EvenInt". Description: None'
    )
    assert mod.halve(8) == 4
    check = dg.check_dagster_type(mod.EvenInt, 3)
    assert (check.success, check.description) == (False, None)
    assert dg.check_dagster_type(mod.Positive, 2).metadata == {"value": 2}
    assert (mod.EvenInt.display_name, mod.EvenInt.description) == ("EvenInt", "An even integer")
