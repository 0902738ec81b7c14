"""Graphs as Dagster composes them: several named outputs (`GraphOut`, returned as a dict or a
tuple), nested graphs with inputs, graph aliases, and mapping a nested graph over a dynamic output."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, stored_op_output


def test_graph_outputs_nested_and_aliased(tmp_path: Path) -> None:
    """Dagster 1.13.28: `number_stats` succeeds with the 14 steps extremes.{sort_numbers,highest,
    lowest}, fetch_numbers, fetch_numbers_2, range_of.extremes.{sort_numbers,highest,lowest},
    range_of.spread, second_spread, tuple_extremes.{sort_numbers,highest,lowest} and tuple_spread;
    every spread is 2 (3 - 1) and extremes' output "low" is 1."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_outputs"), "job", "run", "number_stats", home=home)
    assert run.returncode == 0, run.stderr
    expected = [
        "extremes.highest",
        "extremes.lowest",
        "extremes.sort_numbers",
        "fetch_numbers",
        "fetch_numbers_2",
        "range_of.extremes.highest",
        "range_of.extremes.lowest",
        "range_of.extremes.sort_numbers",
        "range_of.spread",
        "second_spread",
        "tuple_extremes.highest",
        "tuple_extremes.lowest",
        "tuple_extremes.sort_numbers",
        "tuple_spread",
    ]
    assert run.steps == {k: "succeeded" for k in expected}
    run_id = run.doc["run_id"]
    for step in ("range_of.spread", "tuple_spread", "second_spread"):
        assert stored_op_output(home, run_id, step) == 2
    assert stored_op_output(home, run_id, "extremes.lowest") == 1


def test_map_over_a_nested_graph(tmp_path: Path) -> None:
    """Dagster 1.13.28: mapping graph price_region over regions eu and us gives steps
    price_region.regional_price[eu|us] and price_region.with_tax[eu|us], while
    price_region.base_price (which does not take the element) runs once; price_list gets
    [240, 220]."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_dynamic_nested"), "job", "run", "regional_prices", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        k: "succeeded"
        for k in [
            "regions",
            "price_region.base_price",
            "price_region.regional_price[eu]",
            "price_region.regional_price[us]",
            "price_region.with_tax[eu]",
            "price_region.with_tax[us]",
            "price_list",
        ]
    }
    assert stored_op_output(home, run.doc["run_id"], "price_list") == [240, 220]


def test_map_a_lambda_with_another_input(tmp_path: Path) -> None:
    """Dagster 1.13.28: `.map(lambda region: discounted(region, amount))` maps discounted over eu
    and us with the one `discount` output as its second input; price_list gets ['eu-5', 'us-5']."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_dynamic_nested"), "job", "run", "regional_discounts", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        k: "succeeded" for k in ["regions", "discount", "discounted[eu]", "discounted[us]", "price_list"]
    }
    assert stored_op_output(home, run.doc["run_id"], "price_list") == ["eu-5", "us-5"]
