"""Dagster 1.13's freshness policy spelling, `FreshnessPolicy.time_window(fail_window=,
warn_window=)`, on `@asset` and `AssetSpec`, with dagdeck's daemon marking a late asset."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from compat_helpers import cli_run, load, pipeline

import dagdeck as dg
from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.checks import FRESHNESS_CHECK
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.loader import load as load_location
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance


def test_time_window_policies_are_on_the_assets() -> None:
    """Dagster 1.13.28: the asset graph gives hourly_prices a policy with fail_window 60 s and no
    warn_window, and the supplier_feed AssetSpec one with fail_window 1 day and warn_window 12 h."""
    assets = {
        k.to_user_string(): a for k, a in load(pipeline("run_status_freshness")).asset_graph.assets.items()
    }
    prices, feed = assets["hourly_prices"].freshness_policy, assets["supplier_feed"].freshness_policy
    assert (prices.fail_window, prices.warn_window) == (timedelta(seconds=60), None)
    assert (feed.fail_window, feed.warn_window) == (timedelta(days=1), timedelta(hours=12))


def test_warn_window_must_be_shorter_than_fail_window() -> None:
    """Dagster 1.13.28: `FreshnessPolicy.time_window(fail_window=timedelta(minutes=10),
    warn_window=timedelta(minutes=30))` raises "warn_window must be less than fail_window"."""
    with pytest.raises(dg.DefinitionError, match="warn_window must be less than fail_window"):
        dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=10), warn_window=timedelta(minutes=30))


def test_an_asset_with_a_time_window_materializes_and_is_marked_late_after_it(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing hourly_prices succeeds with output [101.5, 99.8]; the policy
    does not change the run. (dagdeck's daemon then records a failed `freshness` check once the
    fail window has passed since that materialization.)"""
    file, home = pipeline("run_status_freshness"), tmp_path / "home"
    run = cli_run(file, "materialize", "--select", "hourly_prices", home=home)
    assert (run.status, run.steps) == ("SUCCESS", {"hourly_prices": "succeeded"})
    instance = Instance.open(home)
    try:
        built = instance.store.asset_states(["hourly_prices"])["hourly_prices"].last_materialized_at
        assert built is not None
        clock = [built + 30]
        daemon = Daemon(
            instance,
            load_location(CodeLocation(file=str(file))),
            now=lambda: clock[0],
            watch_files=False,
            run_queue=False,
        )
        try:
            daemon.run_once()

            def marks() -> list[object]:
                rows = instance.store.get_events(
                    asset_key="hourly_prices", event_types=[EventType.ASSET_CHECK_EVALUATION]
                )
                return [e for e in rows if e.data.get("check_name") == FRESHNESS_CHECK]

            assert marks() == []
            clock[0] = built + 90
            daemon.run_once()
            late = marks()
            assert len(late) == 1 and late[0].data["passed"] is False  # type: ignore[attr-defined]
        finally:
            daemon.stop()
    finally:
        instance.close()
