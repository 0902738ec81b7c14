"""Declared Dagster types: scalars on In/Out, @asset(dagster_type=), AssetOut(dagster_type=)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record, stored_asset_value


def test_scalar_types_on_ins_and_outs(tmp_path: Path) -> None:
    """Dagster 1.13.28: parse_job fails; label (`Out(dg.String)`) and anything (`Out(dg.Any)`)
    succeed; parse fails with `Type check failed for step input "text" - expected type "Int".
    Description: Value "batch-7" of python type "str" must be a int.`"""
    run = cli_run(pipeline("types_declared"), "job", "run", "parse_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"label": "succeeded", "parse": "failed", "anything": "succeeded"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "parse")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step input "text" - expected type "Int". '
        'Description: Value "batch-7" of python type "str" must be a int.'
    )


def test_asset_and_asset_out_dagster_types(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all fails; row_count (`@asset(dagster_type=dg.Int)` returning
    "many") fails with `... step output "result" - expected type "Int". Description: Value "many" of
    python type "str" must be a int.`; load_users fails on its first output with `... step output
    "user_count" - expected type "Int". Description: Value "2" of python type "str" must be a int.`
    and materializes nothing; load_pair (String and list outputs) succeeds, materializing first and
    second."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_declared"), "materialize", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"row_count": "failed", "load_users": "failed", "load_pair": "succeeded"}
    errors = {s["key"]: s["error"] for s in run.doc["steps"]}
    assert errors["row_count"] == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "Int". '
        'Description: Value "many" of python type "str" must be a int.'
    )
    assert errors["load_users"] == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "user_count" - expected type "Int". '
        'Description: Value "2" of python type "str" must be a int.'
    )
    record = run_record(home, run.doc["run_id"])
    assert sorted(record.materializations) == ["first", "second"]
    assert stored_asset_value(home, "second") == ["b"]


def test_dagster_optional_and_list_types(tmp_path: Path) -> None:
    """Dagster 1.13.28: names_job fails; maybe_limit (`Out(dg.Optional[int])` returning None)
    succeeds and names accepts None for `In(dg.Optional[dg.Int])`, then fails its
    `Out(dg.List[dg.String])` check: `Type check failed for step output "result" - expected type
    "[String]". Description: Value "2" of python type "int" must be a string.`"""
    run = cli_run(pipeline("types_declared"), "job", "run", "names_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"maybe_limit": "succeeded", "names": "failed"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "names")
    assert error == (
        'DagsterTypeCheckDidNotPass: Type check failed for step output "result" - expected type "[String]". '
        'Description: Value "2" of python type "int" must be a string.'
    )
