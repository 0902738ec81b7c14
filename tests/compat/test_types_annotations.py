"""Python annotations as Dagster type checks (issue 13, item 3's last part and item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, pipeline_module, run_record, stored_metadata

import dagdeck as dg


def test_return_annotation_mismatch_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize` fails; city_name fails with `DagsterTypeCheckDidNotPass: Type
    check failed for step output "result" - expected type "String". Description: Value "42" of python
    type "int" must be a string.`; greeting is not executed; population (`-> Output[int]`, metadata
    source=census) and density (`-> float`) succeed."""
    run = cli_run(pipeline("types_annotations"), "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {
        "city_name": "failed",
        "greeting": "skipped",
        "population": "succeeded",
        "density": "succeeded",
    }
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "city_name")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "String". '
        'Description: Value "42" of python type "int" must be a string.'
    )
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert stored_metadata(record, "population") == {"source": "census"}
    assert "city_name" not in record.materializations


def test_direct_invocation_checks_outputs_and_inputs() -> None:
    """Dagster 1.13.28: calling the assets directly checks them too: `city_name()` raises
    DagsterTypeCheckDidNotPass `Type check failed for op "city_name" output "result" - expected type
    "String". Description: Value "42" of python type "int" must be a string.`; `greeting(1)` raises
    `... for op "greeting" input "city_name" - expected type "String" ...`; `density(population="x")`
    raises `... input "population" - expected type "Int". Description: Value "x" of python type "str"
    must be a int.`; `greeting("x")` returns "hello x" and `population()` returns the Output."""
    mod = pipeline_module("types_annotations")
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as err:
        mod.city_name()
    assert str(err.value) == (
        'Type check failed for op "city_name" output "result" - expected type "String". '
        'Description: Value "42" of python type "int" must be a string.'
    )
    with pytest.raises(
        dg.DagsterTypeCheckDidNotPass, match='op "greeting" input "city_name" - expected type "String"'
    ):
        mod.greeting(1)
    with pytest.raises(dg.DagsterTypeCheckDidNotPass) as err:
        mod.density(population="x")
    assert str(err.value) == (
        'Type check failed for op "density" input "population" - expected type "Int". '
        'Description: Value "x" of python type "str" must be a int.'
    )
    assert mod.greeting("x") == "hello x"
    assert isinstance(mod.population(), dg.Output)
