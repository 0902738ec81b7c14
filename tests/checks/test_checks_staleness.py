"""Staleness: an upstream materialized later, or a changed `code_version` (the file edited between
runs), makes an asset stale with its reason; `materialize --stale` runs exactly the stale and
never-materialized assets, in dependency order."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import dagdeck as dg
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.views.asset_health import stale_or_missing, stale_reasons
from dagdeck.core.views.runs import asset_show_json, assets_list_json
from tests.checks.checks_helpers import events, parse_json

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]


def _chain() -> dg.Definitions:
    @dg.asset
    def raw_orders() -> int:
        return 1

    @dg.asset
    def orders(raw_orders: int) -> int:
        return raw_orders + 1

    @dg.asset
    def report(orders: int) -> int:
        return orders + 1

    @dg.asset
    def other() -> int:
        return 0

    return dg.Definitions(assets=[raw_orders, orders, report, other])


def test_upstream_materialized_later_makes_the_asset_stale(instance: Instance) -> None:
    defs = _chain()
    assert dg.materialize(defs, instance=instance).success
    rows = {r["key"]: r for r in assets_list_json(defs, instance.store)}
    assert not any(r["stale"] for r in rows.values()) and all(r["stale_reasons"] == [] for r in rows.values())

    assert dg.materialize(defs, selection="raw_orders", instance=instance).success
    rows = {r["key"]: r for r in assets_list_json(defs, instance.store)}
    assert {k: r["stale_reasons"] for k, r in rows.items() if r["stale"]} == {
        "orders": ["upstream raw_orders is newer"],
        "report": ["upstream orders is stale (root cause orders: upstream raw_orders is newer)"],
    }
    shown = asset_show_json(defs, instance.store, dg.AssetKey("orders"))
    assert shown["stale"] is True and shown["stale_reasons"] == ["upstream raw_orders is newer"]

    # refreshing orders moves the staleness one level down
    assert dg.materialize(defs, selection="orders", instance=instance).success
    assert stale_reasons(defs, instance.store) == {"report": ["upstream orders is newer"]}
    assert stale_or_missing(defs, instance.store) == ["report"]


def test_a_failed_blocking_check_leaves_downstream_stale(instance: Instance) -> None:
    ok = [True]

    @dg.asset
    def raw_orders() -> int:
        return 1

    @dg.asset
    def orders(raw_orders: int) -> int:
        return raw_orders

    @dg.asset_check(asset=raw_orders, blocking=True)
    def sane(raw_orders: int) -> bool:
        return ok[0]

    defs = dg.Definitions(assets=[raw_orders, orders], asset_checks=[sane])
    assert dg.materialize(defs, instance=instance).success
    ok[0] = False
    assert dg.materialize(defs, instance=instance, raise_on_error=False).status == "FAILURE"
    assert stale_reasons(defs, instance.store) == {"orders": ["upstream raw_orders is newer"]}


CODE = """
import dagdeck as dg


@dg.asset
def raw_orders():
    return [1, 2, 3]


@dg.asset(code_version="1")
def orders(raw_orders):
    return raw_orders


@dg.asset(code_version="1")
def report(orders):
    return len(orders)


@dg.asset
def lonely():
    return 0


@dg.asset
def newcomer(raw_orders):
    return raw_orders


defs = dg.Definitions(assets=[raw_orders, orders, report, lonely, newcomer])
"""


def test_code_version_change_and_materialize_stale(
    cli: Cli, write_defs: WriteDefs, home: Path, instance: Instance, load_file: Callable[[Path], Loaded]
) -> None:
    path = write_defs(CODE)
    # the first two runs in-process (same home; a CLI run would record the same events, slower)
    sel = ["raw_orders", "orders", "report", "lonely"]
    assert dg.materialize(load_file(path).defs, selection=sel, instance=instance).success
    # report's code changes (the file is edited between runs); raw_orders is materialized again
    path.write_text(path.read_text().replace('@dg.asset(code_version="1")\ndef report', '@dg.asset(code_version="2")\ndef report'))
    assert dg.materialize(load_file(path).defs, selection="raw_orders", instance=instance).success

    listed = {r["key"]: r for r in parse_json(cli("assets", "list", "--json", home=home, file=path))}
    assert {k: r["stale_reasons"] for k, r in listed.items() if r["stale"]} == {
        "orders": ["upstream raw_orders is newer"],
        "report": ["code version 1 -> 2", "upstream orders is stale (root cause orders: upstream raw_orders is newer)"],
    }
    assert listed["newcomer"]["stale"] is False and listed["newcomer"]["latest_status"] == "never_materialized"

    proc = cli("materialize", "--stale", "--json", home=home, file=path)
    assert proc.returncode == 0, proc.stderr
    run = parse_json(proc)
    # exactly the stale ones and the never-materialized one; raw_orders and lonely are up to date
    keys = [s["key"] for s in run["steps"]]
    assert sorted(keys) == ["newcomer", "orders", "report"], keys
    assert keys.index("orders") < keys.index("report")
    assert sorted(m["asset_key"] for m in run["materializations"]) == ["newcomer", "orders", "report"]
    starts = [e.step_key for e in events(instance, run["run_id"], EventType.STEP_START)]
    assert starts.index("orders") < starts.index("report")  # dependency order when it ran

    nothing = cli("materialize", "--stale", home=home, file=path)
    assert nothing.returncode == 0 and "nothing is stale" in nothing.stdout


TRANSIENT = """
import dagdeck as dg


@dg.asset(transient=True)
def staged():
    return [1, 2]


@dg.asset(code_version="1")
def summary(staged):
    return sum(staged)


defs = dg.Definitions(assets=[staged, summary])
"""


def test_materialize_stale_recomputes_the_transient_input_it_needs(
    instance: Instance, write_defs: WriteDefs, load_file: Callable[[Path], Loaded]
) -> None:
    path = write_defs(TRANSIENT)
    assert dg.materialize(load_file(path).defs, instance=instance).success
    assert not (instance.storage_dir / "staged").exists()
    path.write_text(path.read_text().replace('code_version="1"', 'code_version="2"'))
    defs = load_file(path).defs
    assert stale_reasons(defs, instance.store) == {"summary": ["code version 1 -> 2"]}
    # the stored value of `staged` is gone, so `summary` alone could not load its input
    wanted = stale_or_missing(defs, instance.store)
    assert wanted == ["staged", "summary"]
    result = dg.materialize(defs, selection=wanted, instance=instance)
    assert result.success, result.outcome.reason
    assert stale_reasons(defs, instance.store) == {}
