"""Python types as Dagster types: names and failure descriptions as Dagster gives them."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record

PREFIX = 'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type '


def test_python_types_checked_with_dagsters_names(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all fails; nullable_ok (`Optional[int]` returning None)
    succeeds; the others fail with DagsterTypeCheckDidNotPass, expected type and description:
    scores "[Int]" `Value "three" of python type "str" must be a int.`; maybe_count "Int?"
    `Value "none" of python type "str" must be a int.`; totals "Dict[String,Int]" `Value "2" of python
    type "str" must be a int.`; report "Report" `Value of type <class 'dict'> failed type check for
    Dagster type Report, expected value to be of Python type <module>.Report.`; side_effect (`-> None`)
    "Nothing" `Value must be None or unset, got a <class 'int'>`; pair "Tuple[Int,String]" `Value "2"
    of python type "int" must be a string.`; ratio "Float" `Value "1" of python type "int" must be a
    float.`"""
    run = cli_run(pipeline("types_python_types"), "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps["nullable_ok"] == "succeeded"
    errors = {s["key"]: s["error"] for s in run.doc["steps"] if s["status"] == "failed"}
    assert set(errors) == {"scores", "maybe_count", "totals", "report", "side_effect", "pair", "ratio"}
    assert (
        errors["scores"] == PREFIX + '"[Int]". Description: Value "three" of python type "str" must be a int.'
    )
    assert (
        errors["maybe_count"]
        == PREFIX + '"Int?". Description: Value "none" of python type "str" must be a int.'
    )
    assert errors["totals"] == (
        PREFIX + '"Dict[String,Int]". Description: Value "2" of python type "str" must be a int.'
    )
    assert errors["report"].startswith(
        PREFIX + "\"Report\". Description: Value of type <class 'dict'> failed type check for Dagster type "
        "Report, expected value to be of Python type "
    )
    assert errors["report"].endswith(".Report.")
    assert errors["side_effect"] == (
        PREFIX + "\"Nothing\". Description: Value must be None or unset, got a <class 'int'>"
    )
    assert errors["pair"] == (
        PREFIX + '"Tuple[Int,String]". Description: Value "2" of python type "int" must be a string.'
    )
    assert errors["ratio"] == PREFIX + '"Float". Description: Value "1" of python type "int" must be a float.'
    record = run_record(tmp_path / "home", run.doc["run_id"])
    assert list(record.materializations) == ["nullable_ok"]
