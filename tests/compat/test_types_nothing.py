"""`Nothing` inputs: ordering-only dependencies (issue 13, item 2)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record, stored_asset_value, stored_op_output


def _order(record_events: list, first: str, then: str) -> bool:
    """`then` started only after `first` succeeded."""
    ids = {(e.event_type, e.step_key): e.id for e in record_events}
    return ids[("STEP_SUCCESS", first)] < ids[("STEP_START", then)]


def test_nothing_inputs_order_ops_without_data(tmp_path: Path) -> None:
    """Dagster 1.13.28: table_job succeeds with all five steps (create_table, fill_table, fill_again,
    report, standalone); create_table's Nothing output stores nothing (output_for_node is None);
    report, wired to a list of Nothing outputs besides its `rows` value, returns "3 rows";
    standalone, whose Nothing input is left unwired, runs and returns "ran without upstream"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_nothing"), "job", "run", "table_job", home=home)
    assert run.status == "SUCCESS", run.doc
    assert run.steps == {
        "create_table": "succeeded",
        "fill_table": "succeeded",
        "fill_again": "succeeded",
        "report": "succeeded",
        "standalone": "succeeded",
    }
    run_id = run.doc["run_id"]
    assert stored_op_output(home, run_id, "report") == "3 rows"
    assert stored_op_output(home, run_id, "standalone") == "ran without upstream"
    assert (home / "storage" / "runs" / run_id / "report" / "result").exists()
    assert not (home / "storage" / "runs" / run_id / "create_table").exists()
    events = run_record(home, run_id).events
    assert _order(events, "create_table", "fill_table")
    assert _order(events, "fill_again", "report")


def test_asset_in_nothing_is_a_dependency_without_a_value(tmp_path: Path) -> None:
    """Dagster 1.13.28: table_summary depends on raw_table (dependency_keys = {raw_table}) without a
    parameter; materializing both succeeds and table_summary is "summary written after raw_table"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_nothing"), "materialize", home=home)
    assert run.status == "SUCCESS", run.doc
    assert run.steps == {"raw_table": "succeeded", "table_summary": "succeeded"}
    assert _order(run_record(home, run.doc["run_id"]).events, "raw_table", "table_summary")
    assert stored_asset_value(home, "table_summary") == "summary written after raw_table"
