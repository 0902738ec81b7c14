"""Assets and ops whose outputs may not be produced: what needs a missing value is skipped."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record, stored_asset_value


def test_missing_optional_assets_skip_what_is_computed_from_them(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing all assets succeeds; `orders` (output_required=False,
    yields nothing) succeeds without a materialization, and order_totals, order_report (through
    order_totals), orders_by_customer (one of its two inputs missing) and orders_archived
    (`deps=[orders]` only) are skipped; `daily_sources` yields only `refunds`, so refund_summary
    succeeds with [6, 7, 8, 9, 10] and visit_summary is skipped; customers succeeds. The
    materializations are customers, refunds and refund_summary."""
    home = tmp_path / "home"
    run = cli_run(pipeline("graphs_optional_assets"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {
        "orders": "succeeded",
        "order_totals": "skipped",
        "order_report": "skipped",
        "orders_archived": "skipped",
        "customers": "succeeded",
        "orders_by_customer": "skipped",
        "daily_sources": "succeeded",
        "refund_summary": "succeeded",
        "visit_summary": "skipped",
    }
    record = run_record(home, run.doc["run_id"])
    materialized = sorted(e.asset_key for e in record.events if e.event_type == "ASSET_MATERIALIZATION")
    assert materialized == ["customers", "refund_summary", "refunds"]
    assert stored_asset_value(home, "refund_summary") == [6, 7, 8, 9, 10]


def test_selected_alone_a_never_materialized_optional_upstream_fails_to_load(tmp_path: Path) -> None:
    """Dagster 1.13.28: `order_totals` selected alone, with `orders` never materialized, fails
    (DagsterExecutionLoadInputError loading input "orders"): skipping applies only to upstream
    steps of the same run."""
    run = cli_run(
        pipeline("graphs_optional_assets"), "materialize", "--select", "order_totals", home=tmp_path / "h"
    )
    assert run.status == "FAILURE"
    assert run.steps == {"order_totals": "failed"}


def test_ops_waiting_on_a_missing_optional_output_are_skipped(tmp_path: Path) -> None:
    """Dagster 1.13.28: job `refresh` succeeds; load_if_changed yields neither output, so `notify`
    (In(Nothing) on the Nothing output `loaded`) and `notify_rows` (In(Nothing) on `rows`) are
    skipped, and `always` succeeds."""
    run = cli_run(pipeline("graphs_optional_order"), "job", "run", "refresh", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {
        "load_if_changed": "succeeded",
        "notify": "skipped",
        "notify_rows": "skipped",
        "always": "succeeded",
    }
