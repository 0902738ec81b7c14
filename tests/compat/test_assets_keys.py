"""Asset keys with prefixes (key_prefix= on asset and AssetIn, AssetKey lists, AssetDep) and
loading assets from modules with key_prefix= / group_name=."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from compat_helpers import cli_run, load, pipeline, run_record, stored_asset_value, stored_metadata

import dagdeck as dg
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.errors import DefinitionError


def test_prefixed_keys_everywhere(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing everything succeeds; keys are warehouse/raw/orders,
    warehouse/clean/orders, reports/order_total and raw_count; clean orders records metadata
    {key: "warehouse/clean/orders"} (context.asset_key); warehouse/clean/orders = [7, 9],
    reports/order_total = 16, raw_count = 3. (Dagster's step keys are the op names,
    warehouse__raw__orders etc.; dagdeck keeps a single asset's key as its step key.)"""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_key_prefix"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert set(run.steps) == {
        "warehouse/raw/orders",
        "warehouse/clean/orders",
        "reports/order_total",
        "raw_count",
    }
    assert set(run.steps.values()) == {"succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert stored_metadata(record, "warehouse/clean/orders") == {"key": "warehouse/clean/orders"}
    assert stored_asset_value(home, "warehouse/clean/orders") == [7, 9]
    assert stored_asset_value(home, "reports/order_total") == 16
    assert stored_asset_value(home, "raw_count") == 3


def test_asset_in_prefix_and_asset_dep_edges() -> None:
    """Dagster 1.13.28: reports/order_total's upstream keys are warehouse/clean/orders (AssetIn
    with key_prefix=) and warehouse/raw/orders (AssetDep); raw_count's is warehouse/raw/orders."""
    graph = load(pipeline("assets_key_prefix")).asset_graph
    assert graph.upstream[AssetKey(["reports", "order_total"])] == {
        AssetKey(["warehouse", "clean", "orders"]),
        AssetKey(["warehouse", "raw", "orders"]),
    }
    assert graph.upstream[AssetKey("raw_count")] == {AssetKey(["warehouse", "raw", "orders"])}


def test_asset_in_key_and_key_prefix_together_is_refused() -> None:
    """Dagster 1.13.28: AssetIn(key="orders", key_prefix="x") raises at definition time
    (CheckError "key and key_prefix cannot both be set on AssetIn")."""
    with pytest.raises(DefinitionError, match="key_prefix"):
        dg.AssetIn(key="orders", key_prefix="x")


def test_load_assets_from_modules_prefix_group_and_checks(tmp_path: Path) -> None:
    """Dagster 1.13.28: load_assets_from_modules([ingest], key_prefix="shop", group_name="sales")
    gives shop/raw_orders, shop/ingest_audit and shop/cleaned_orders, all in group `sales`, with
    the in-module deps prefixed too (shop/ingest_audit and shop/cleaned_orders depend on
    shop/raw_orders); load_asset_checks_from_modules(asset_key_prefix="shop") checks
    shop/cleaned_orders; materializing everything succeeds and the check passes."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_load_modules"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        "shop/raw_orders": "succeeded",
        "shop/cleaned_orders": "succeeded",
        "shop/cleaned_orders:cleaned_orders_not_empty": "succeeded",
        "shop/ingest_audit": "succeeded",
    }
    record = run_record(home, run.doc["run_id"])
    checks = [e for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"]
    assert [(c.asset_key, c.data["check_name"], c.data["passed"]) for c in checks] == [
        ("shop/cleaned_orders", "cleaned_orders_not_empty", True)
    ]
    graph = load(pipeline("assets_load_modules")).asset_graph
    shop = lambda name: AssetKey(["shop", name])  # noqa: E731
    assert set(graph.assets) == {shop("raw_orders"), shop("ingest_audit"), shop("cleaned_orders")}
    assert {graph.assets[k].group_name for k in graph.assets} == {"sales"}
    assert graph.upstream[shop("ingest_audit")] == {shop("raw_orders")}
    assert graph.upstream[shop("cleaned_orders")] == {shop("raw_orders")}
    assert stored_asset_value(home, "shop/cleaned_orders") == [2, 4, 6]


def test_load_assets_from_package_module(tmp_path: Path) -> None:
    """Dagster 1.13.28: load_assets_from_package_module(assets_shop, group_name="shop",
    key_prefix="pkg") finds the assets of every submodule: pkg/raw_orders, pkg/ingest_audit,
    pkg/cleaned_orders and pkg/order_summary (from reporting/summary.py, whose input
    cleaned_orders becomes pkg/cleaned_orders), all in group `shop`; all four materialize and
    pkg/order_summary = 12."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_load_package"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        "pkg/raw_orders": "succeeded",
        "pkg/cleaned_orders": "succeeded",
        "pkg/ingest_audit": "succeeded",
        "pkg/order_summary": "succeeded",
    }
    graph = load(pipeline("assets_load_package")).asset_graph
    assert {graph.assets[k].group_name for k in graph.assets} == {"shop"}
    assert graph.upstream[AssetKey(["pkg", "order_summary"])] == {AssetKey(["pkg", "cleaned_orders"])}
    assert stored_asset_value(home, "pkg/order_summary") == 12


def test_load_assets_from_current_module(tmp_path: Path) -> None:
    """Dagster 1.13.28: load_assets_from_current_module(group_name="numbers", key_prefix="calc")
    gives calc/source_numbers and calc/doubled in group `numbers`; both materialize and
    calc/doubled = [2, 4, 6]."""
    home = tmp_path / "home"
    run = cli_run(pipeline("assets_current_module"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"calc/source_numbers": "succeeded", "calc/doubled": "succeeded"}
    assert stored_asset_value(home, "calc/doubled") == [2, 4, 6]
    graph = load(pipeline("assets_current_module")).asset_graph
    assert {graph.assets[k].group_name for k in graph.assets} == {"numbers"}


def test_load_assets_group_name_conflict() -> None:
    """Dagster 1.13.28: loading a module whose asset sets group_name="mine" with
    load_assets_from_modules(..., group_name="g") raises DagsterInvalidDefinitionError "Asset spec
    summary has group name mine, which conflicts with the group name g provided in
    load_assets_from_modules."."""
    module = types.ModuleType("grouped")

    @dg.asset(group_name="mine")
    def summary() -> int:
        return 1

    module.summary = summary  # type: ignore[attr-defined]
    with pytest.raises(DefinitionError, match="conflicts with the group name 'g'"):
        dg.load_assets_from_modules([module], group_name="g")
