"""`usable_as_dagster_type`, `make_python_type_usable_as_dagster_type`, `check_dagster_type`
(issue 13, item 3's types part)."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, pipeline_module, stored_op_output

import dagdeck as dg


def test_usable_as_dagster_type_checks_annotated_assets(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing both fails only evening_reading (returns 19.0 for
    `-> Temperature`): `Type check failed for step output "result" - expected type "Temperature".
    Description: Value of type <class 'float'> failed type check for Dagster type Temperature, expected
    value to be of Python type Temperature.`; morning_reading succeeds."""
    run = cli_run(pipeline("types_usable_as"), "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"morning_reading": "succeeded", "evening_reading": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "evening_reading")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "Temperature". '
        "Description: Value of type <class 'float'> failed type check for Dagster type Temperature, expected "
        "value to be of Python type Temperature."
    )


def test_python_type_mapped_to_a_custom_dagster_type(tmp_path: Path) -> None:
    """Dagster 1.13.28: payments_job fails; price and spend succeed (spend = 1200), refund fails with
    `Type check failed for step output "result" - expected type "NonNegativeMoney". Description: -500
    cents is negative`."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_usable_as"), "job", "run", "payments_job", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"price": "succeeded", "spend": "succeeded", "refund": "failed"}
    assert stored_op_output(home, run.doc["run_id"], "spend") == 1200
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "refund")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type '
        '"NonNegativeMoney". Description: -500 cents is negative'
    )


def test_check_dagster_type_and_direct_calls() -> None:
    """Dagster 1.13.28: check_dagster_type(Temperature, 3) fails with `Value of type <class 'int'>
    failed type check for Dagster type Temperature, expected value to be of Python type Temperature.`;
    check_dagster_type(Money, Money(-1)) fails with "-1 cents is negative", Money(1) passes;
    `spend(Money(-3))` raises DagsterTypeCheckDidNotPass `Type check failed for op "spend" input
    "amount" - expected type "NonNegativeMoney". Description: -3 cents is negative`; `spend(5)` raises
    with "5 is not Money"."""
    mod = pipeline_module("types_usable_as")
    assert dg.check_dagster_type(mod.Temperature, 3).description == (
        "Value of type <class 'int'> failed type check for Dagster type Temperature, expected value to be of "
        "Python type Temperature."
    )
    assert dg.check_dagster_type(mod.Money, mod.Money(-1)).description == "-1 cents is negative"
    assert dg.check_dagster_type(mod.Money, mod.Money(1)).success
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as err:
        mod.spend(mod.Money(-3))
    assert str(err.value) == (
        'Type check failed for op "spend" input "amount" - expected type "NonNegativeMoney". '
        "Description: -3 cents is negative"
    )
    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match="Description: 5 is not Money"):
        mod.spend(5)
