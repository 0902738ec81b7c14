"""Graph-backed assets with `can_subset=True`: a partial selection runs only the ops its assets
need, each producing only the outputs needed (`context.selected_output_names`)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record, stored_asset_value


def _materialized(home: Path, run_id: str) -> list[str]:
    events = run_record(home, run_id).events
    return sorted(e.asset_key for e in events if e.event_type == "ASSET_MATERIALIZATION")


def test_all_selected_every_op_gets_all_its_outputs(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing everything runs my_graph.bar, my_graph.foo (its
    selected_output_names are foo_1 and foo_2, so it yields both), my_graph.baz,
    number_totals.split_numbers, number_totals.total and number_totals.total_2, all succeeded;
    foo_asset is 2, baz_asset 5, small_total {"total": 6, "selected": ["result"]}, large_total
    {"total": 70, ...}; materializations baz_asset, foo_asset, large_total, small_total."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_subset"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        k: "succeeded"
        for k in (
            "my_graph.bar",
            "my_graph.foo",
            "my_graph.baz",
            "number_totals.split_numbers",
            "number_totals.total",
            "number_totals.total_2",
        )
    }
    assert _materialized(home, run.doc["run_id"]) == ["baz_asset", "foo_asset", "large_total", "small_total"]
    assert stored_asset_value(home, "foo_asset") == 2
    assert stored_asset_value(home, "baz_asset") == 5
    assert stored_asset_value(home, "small_total") == {"total": 6, "selected": ["result"]}
    assert stored_asset_value(home, "large_total") == {"total": 70, "selected": ["result"]}


def test_subset_runs_the_ops_the_selected_asset_needs(tmp_path: Path) -> None:
    """Dagster 1.13.28: selecting baz_asset runs my_graph.bar, my_graph.foo (selected outputs
    only foo_2) and my_graph.baz, all succeeded; only baz_asset is materialized, value 5.
    Selecting small_total runs number_totals.split_numbers and number_totals.total only
    (total_2, behind large_total, does not run); small_total is {"total": 6, ...}."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_subset"), "materialize", "--select", "baz_asset", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        "my_graph.bar": "succeeded",
        "my_graph.foo": "succeeded",
        "my_graph.baz": "succeeded",
    }
    assert _materialized(home, run.doc["run_id"]) == ["baz_asset"]
    assert stored_asset_value(home, "baz_asset") == 5

    run = cli_run(pipeline("graphs_subset"), "materialize", "--select", "small_total", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"number_totals.split_numbers": "succeeded", "number_totals.total": "succeeded"}
    assert _materialized(home, run.doc["run_id"]) == ["small_total"]
    assert stored_asset_value(home, "small_total") == {"total": 6, "selected": ["result"]}


def test_returning_an_output_the_subset_did_not_select_fails(tmp_path: Path) -> None:
    """Dagster 1.13.28: selecting foo_asset alone, my_graph.bar (selected outputs only bar_1)
    returns the tuple (1, 2) and fails with DagsterInvariantViolationError 'Core compute for op
    "my_graph.bar" returned an output "bar_2" that is not selected. The selected outputs are
    {'bar_1'}'; my_graph.foo never runs (Dagster records no event for it; dagdeck: skipped);
    my_graph.baz is not part of the run; nothing is materialized."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_subset"), "materialize", "--select", "foo_asset", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"my_graph.bar": "failed", "my_graph.foo": "skipped"}
    error = next(s["error"] for s in run.doc["steps"] if s["key"] == "my_graph.bar")
    assert error == (
        'DagsterInvariantViolationError: Core compute for op "my_graph.bar" returned an output "bar_2" '
        "that is not selected. The selected outputs are {'bar_1'}"
    )
    assert _materialized(home, run.doc["run_id"]) == []
