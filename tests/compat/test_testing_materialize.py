"""Dagster's `materialize` / `materialize_to_memory` for testing assets, and its throwaway instances."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, pipeline_module, run_record, stored_metadata

import dagdeck as dg


def test_materialize_assets_with_a_check(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize([orders, revenue, revenue_not_negative]) outputs revenue 42, the
    revenue materialization has order_count 2, the check evaluation is (revenue_not_negative, passed,
    metadata revenue=42), and materialization events are for orders and revenue."""
    assets = pipeline_module("testing_assets")
    result = dg.materialize([assets.orders, assets.revenue, assets.revenue_not_negative])
    assert result.success
    assert result.output_for_node("revenue") == 42
    assert result.asset_materializations_for_node("revenue")[0].metadata["order_count"].value == 2
    checks = [
        (c.check_name, c.passed, c.metadata["revenue"].value) for c in result.get_asset_check_evaluations()
    ]
    assert checks == [("revenue_not_negative", True, 42)]
    assert sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events()) == [
        "orders",
        "revenue",
    ]

    run = cli_run(pipeline("testing_assets"), "materialize", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps["revenue"] == "succeeded"
    assert stored_metadata(run_record(tmp_path / "home", run.doc["run_id"]), "revenue") == {"order_count": 2}


def test_materialize_selection() -> None:
    """Dagster 1.13.28: materialize([orders, revenue], selection=["orders"]) runs only orders."""
    assets = pipeline_module("testing_assets")
    result = dg.materialize([assets.orders, assets.revenue], selection=["orders"])
    assert [e.step_key for e in result.get_step_success_events()] == ["orders"]


def test_materialize_raises_the_asset_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize([source_table, broken_report]) raises RuntimeError("report service
    unavailable"); with raise_on_error=False it is unsuccessful, source_table's output is [5, 6] and
    the one failure event is broken_report's."""
    failing = pipeline_module("testing_failures")
    with pytest.raises(RuntimeError, match="report service unavailable"):
        dg.materialize([failing.source_table, failing.broken_report])
    result = dg.materialize([failing.source_table, failing.broken_report], raise_on_error=False)
    assert not result.success
    assert result.output_for_node("source_table") == [5, 6]
    assert [e.step_key for e in result.get_step_failure_events()] == ["broken_report"]

    run = cli_run(pipeline("testing_failures"), "materialize", home=tmp_path / "home")
    assert run.status == "FAILURE"
    assert run.steps == {"source_table": "succeeded", "broken_report": "failed"}


def test_materialize_to_memory() -> None:
    """Dagster 1.13.28: materialize_to_memory([orders, revenue]) gives revenue 42 and the orders list
    back from memory."""
    assets = pipeline_module("testing_assets")
    result = dg.materialize_to_memory([assets.orders, assets.revenue])
    assert result.output_for_node("revenue") == 42
    assert result.output_for_node("orders") == [{"id": 1, "amount": 30}, {"id": 2, "amount": 12}]


def test_instance_for_test_records_materializations() -> None:
    """Dagster 1.13.28: inside `with instance_for_test() as instance`, after materialize(..., instance=
    instance) the instance's latest revenue materialization is from that run with order_count 2."""
    assets = pipeline_module("testing_assets")
    with dg.instance_for_test() as instance:
        result = dg.materialize([assets.orders, assets.revenue], instance=instance)
        event = instance.get_latest_materialization_event(dg.AssetKey("revenue"))
        assert event is not None and event.run_id == result.run_id
        assert event.asset_materialization.metadata["order_count"].value == 2


def test_ephemeral_instance_keeps_runs_apart() -> None:
    """Dagster 1.13.28: two materialize calls on one DagsterInstance.ephemeral() get different run
    ids, and the latest orders materialization is the second run's."""
    assets = pipeline_module("testing_assets")
    instance = dg.DagsterInstance.ephemeral()
    first = dg.materialize([assets.orders], instance=instance)
    second = dg.materialize([assets.orders], instance=instance)
    assert first.run_id != second.run_id
    latest = instance.get_latest_materialization_event(dg.AssetKey("orders"))
    assert latest is not None and latest.run_id == second.run_id


def test_materialize_with_resources() -> None:
    """Dagster 1.13.28: materialize([welcome_banner], resources={"greeter": Greeter()}) outputs
    "HELLO BANNER!"."""
    ctx = pipeline_module("testing_contexts")
    result = dg.materialize([ctx.welcome_banner], resources={"greeter": ctx.Greeter()})
    assert result.output_for_node("welcome_banner") == "HELLO BANNER!"


def test_invalid_run_config_raises_before_the_run() -> None:
    """Dagster 1.13.28: materialize([scaled], run_config n="many") raises DagsterInvalidConfigError
    ("Error in config for job ...") with raise_on_error=True and with raise_on_error=False alike; the
    job's execute_in_process does the same for its op config."""

    class ScaleConfig(dg.Config):
        n: int

    @dg.asset
    def scaled(config: ScaleConfig) -> int:
        return config.n

    bad = {"ops": {"scaled": {"config": {"n": "many"}}}}
    for raise_on_error in (True, False):
        with pytest.raises(dg.DagsterInvalidConfigError, match="Error in config for job"):
            dg.materialize([scaled], run_config=bad, raise_on_error=raise_on_error)
    jobs = pipeline_module("testing_job_results")
    with pytest.raises(dg.DagsterInvalidConfigError):
        jobs.numbers_job.execute_in_process(run_config={"ops": {"scale": {"config": {"factor": "big"}}}})
