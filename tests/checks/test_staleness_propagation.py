"""Staleness flows down the graph: an asset built from a stale asset is stale, its reason naming the
root cause, the same in the console's rows, `assets list --json`, `assets show --json` and
`materialize --stale` (which refreshes the whole stale closure in one pass)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import dagdeck as dg
from dagdeck.core.instance import Instance
from dagdeck.core.views.asset_health import stale_or_missing, stale_reasons
from dagdeck.core.views.console import asset_rows
from dagdeck.core.views.runs import asset_show_json, assets_list_json
from tests.checks.checks_helpers import parse_json

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]

ROOT = "upstream raw_orders is newer"
PROPAGATED = "upstream orders is stale (root cause orders: upstream raw_orders is newer)"


def _diamond() -> dg.Definitions:
    @dg.asset
    def raw_orders() -> int:
        return 1

    @dg.asset
    def orders(raw_orders: int) -> int:
        return raw_orders + 1

    @dg.asset
    def customers() -> int:
        return 5

    @dg.asset
    def customer_counts(orders: int, customers: int) -> int:
        return orders + customers

    @dg.asset
    def report(customer_counts: int) -> int:
        return customer_counts

    return dg.Definitions(assets=[raw_orders, orders, customers, customer_counts, report])


def test_staleness_reaches_every_asset_below_the_root(instance: Instance) -> None:
    defs = _diamond()
    assert dg.materialize(defs, instance=instance).success
    assert stale_reasons(defs, instance.store) == {}
    assert dg.materialize(defs, selection="raw_orders", instance=instance).success

    reasons = stale_reasons(defs, instance.store)
    assert reasons["orders"] == [ROOT]
    assert reasons["customer_counts"] == [PROPAGATED]
    assert reasons["report"] == [
        "upstream customer_counts is stale (root cause orders: upstream raw_orders is newer)"
    ]
    assert set(reasons) == {"orders", "customer_counts", "report"}  # customers is fresh

    # the console's rows, the JSON list and show agree; a one-key read sees the propagation too
    rows = {r.key: r for r in asset_rows(defs, instance.store)}
    assert {k for k, r in rows.items() if r.stale} == {"orders", "customer_counts", "report"}
    listed = {r["key"]: r for r in assets_list_json(defs, instance.store)}
    assert listed["report"]["stale"] is True and listed["report"]["stale_reasons"] == reasons["report"]
    assert stale_reasons(defs, instance.store, ["report"]) == {"report": reasons["report"]}
    shown = asset_show_json(defs, instance.store, dg.AssetKey("customer_counts"))
    assert shown["stale"] is True and shown["stale_reasons"] == [PROPAGATED]

    # one pass refreshes the whole closure: nothing is stale afterwards
    wanted = stale_or_missing(defs, instance.store)
    assert wanted == ["orders", "customer_counts", "report"]
    assert dg.materialize(defs, selection=wanted, instance=instance).success
    assert stale_reasons(defs, instance.store) == {}
    assert stale_or_missing(defs, instance.store) == []


def test_a_missing_upstream_brings_its_materialized_downstream_along(instance: Instance) -> None:
    defs = _diamond()
    assert dg.materialize(defs, selection=["raw_orders", "orders"], instance=instance).success
    # customers never ran, so customer_counts and report are missing: all three run, in order
    assert stale_or_missing(defs, instance.store) == ["customers", "customer_counts", "report"]


CODE = """
import dagdeck as dg


@dg.asset
def raw_orders():
    return [1, 2, 3]


@dg.asset(code_version="1")
def orders(raw_orders):
    return raw_orders


@dg.asset
def customer_counts(orders):
    return len(orders)


@dg.asset
def summary(customer_counts):
    return customer_counts


@dg.asset
def lonely():
    return 0


defs = dg.Definitions(assets=[raw_orders, orders, customer_counts, summary, lonely])
"""


def test_cli_lists_and_materializes_the_stale_closure(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(CODE)
    assert cli("materialize", "--json", home=home, file=path).returncode == 0
    path.write_text(path.read_text().replace('code_version="1"', 'code_version="2"'))

    listed = {r["key"]: r for r in parse_json(cli("assets", "list", "--json", home=home, file=path))}
    assert {k: r["stale_reasons"] for k, r in listed.items() if r["stale"]} == {
        "orders": ["code version 1 -> 2"],
        "customer_counts": ["upstream orders is stale (root cause orders: code version 1 -> 2)"],
        "summary": ["upstream customer_counts is stale (root cause orders: code version 1 -> 2)"],
    }
    proc = cli("materialize", "--stale", "--json", home=home, file=path)
    assert proc.returncode == 0, proc.stderr
    assert [s["key"] for s in parse_json(proc)["steps"]] == ["orders", "customer_counts", "summary"]
    listed = parse_json(cli("assets", "list", "--json", home=home, file=path))
    assert not any(r["stale"] for r in listed)
