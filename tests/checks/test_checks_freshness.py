"""Freshness: the daemon (driven by a controllable clock) marks an asset overdue once its last
materialization is older than its `FreshnessPolicy`, as a failed `freshness` check evaluation;
`assets list --json` says `overdue: true`; the next materialization clears the mark."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import dagdeck as dg
from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.checks import FRESHNESS_CHECK
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.views.asset_health import check_views, overdue
from dagdeck.core.views.runs import asset_show_json, assets_list_json
from tests.checks.checks_helpers import SimClock, meta, parse_json

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]

DEFS = """
import dagdeck as dg


@dg.asset(freshness_policy=dg.FreshnessPolicy(maximum_lag_minutes=1))
def prices():
    return [1.0, 2.0]


@dg.asset
def archive():
    return []


@dg.asset(freshness_policy=dg.FreshnessPolicy(maximum_lag_minutes=1))
def never_built():
    return 0


defs = dg.Definitions(assets=[prices, archive, never_built])
"""


@pytest.fixture
def daemon_for(instance: Instance) -> Iterator[Callable[[Loaded, SimClock], Daemon]]:
    made: list[Daemon] = []

    def make(loaded: Loaded, clock: SimClock) -> Daemon:
        d = Daemon(instance, loaded, now=clock, run_queue=False, watch_files=False)
        made.append(d)
        return d

    yield make
    for d in made:
        d.stop(timeout=2)


def _freshness_events(instance: Instance, key: str) -> list:
    rows = instance.store.get_events(asset_key=key, event_types=[EventType.ASSET_CHECK_EVALUATION], limit=1000)
    return [e for e in rows if e.data.get("check_name") == FRESHNESS_CHECK]


def test_freshness_overdue_with_a_controllable_clock_and_cleared_by_a_materialization(
    instance: Instance,
    home: Path,
    cli: Cli,
    write_defs: WriteDefs,
    load_file: Callable[[Path], Loaded],
    daemon_for: Callable[[Loaded, SimClock], Daemon],
) -> None:
    path = write_defs(DEFS)
    loaded = load_file(path)
    defs = loaded.defs
    assert dg.materialize(defs, selection=["prices", "archive"], instance=instance).success
    # the clock starts at the materialization itself, so the ages below are exact however long the
    # run took to finish
    built = instance.store.asset_states(["prices"])["prices"].last_materialized_at
    assert built is not None
    clock = SimClock(built)
    d = daemon_for(loaded, clock)

    d.run_once()
    clock.advance(50)  # 50 s old: within the one-minute policy
    d.run_once()
    assert overdue(defs, instance.store) == {}
    assert _freshness_events(instance, "prices") == []

    clock.advance(40)  # 90 s old
    d.run_once()
    assert d.is_leader
    late = overdue(defs, instance.store)
    assert set(late) == {"prices"}  # never materialized assets are not "late", only missing
    marks = _freshness_events(instance, "prices")
    assert len(marks) == 1
    mark = marks[0]
    assert mark.data["passed"] is False and mark.data["severity"] == "WARN" and mark.run_id is None
    assert meta(mark)["maximum_lag_minutes"] == 1 and meta(mark)["lag_minutes"] == pytest.approx(1.5, abs=0.05)
    assert mark.timestamp == pytest.approx(clock())
    assert "overdue" in mark.message

    # idempotent: more ticks while still late record nothing new
    for _ in range(3):
        clock.advance(10)
        d.run_once()
    assert len(_freshness_events(instance, "prices")) == 1

    # the JSON the CLI prints, and the asset view (a failed freshness check, with its reason)
    listed = {r["key"]: r for r in parse_json(cli("assets", "list", "--json", home=home, file=path))}
    assert listed["prices"]["overdue"] is True
    assert listed["archive"]["overdue"] is False and listed["never_built"]["overdue"] is False
    shown = asset_show_json(defs, instance.store, dg.AssetKey("prices"))
    assert shown["overdue"] is True and "overdue" in shown["overdue_reason"]
    fresh = {c["name"]: c for c in shown["checks"]}[FRESHNESS_CHECK]
    assert fresh["passed"] is False and fresh["severity"] == "WARN"

    # a new materialization clears the mark at once, even with the daemon's clock ahead of the
    # worker's; the daemon then records a passing evaluation on its next pass
    assert dg.materialize(defs, selection="prices", instance=instance).success
    assert overdue(defs, instance.store) == {}
    assert {r["key"]: r["overdue"] for r in assets_list_json(defs, instance.store)}["prices"] is False
    clock.set(time.time())
    d.run_once()
    assert [e.data["passed"] for e in _freshness_events(instance, "prices")] == [False, True]
    view = {v.name: v for v in check_views(defs, instance.store, "prices")}[FRESHNESS_CHECK]
    assert view.passed is True and view.history == [False, True]

    # late again after another policy window: marked a second time
    clock.advance(120)
    d.run_once()
    assert set(overdue(defs, instance.store)) == {"prices"}
    assert [e.data["passed"] for e in _freshness_events(instance, "prices")] == [False, True, False]

