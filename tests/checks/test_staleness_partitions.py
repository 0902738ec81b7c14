"""Staleness of partitioned assets: some partitions never materialized or failed make the asset
partly stale (its own news, not passed down: a day not yet run must not make everything below it
stale), and `materialize --stale` leaves partitioned assets to partition runs and backfills."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.checks.checks_helpers import parse_json

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]

CODE = """
import dagdeck as dg

days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")


@dg.asset(partitions_def=days)
def daily(context):
    if context.partition_key == "2024-01-03":
        raise ValueError("bad day")
    return 1


@dg.asset(deps=[daily])
def summary():
    return 2


@dg.asset
def plain():
    return 3


defs = dg.Definitions(assets=[daily, summary, plain])
"""


def _stale(cli: Cli, home: Path, path: Path) -> dict[str, list[str]]:
    listed = parse_json(cli("assets", "list", "--json", home=home, file=path))
    return {r["key"]: r["stale_reasons"] for r in listed if r["stale"]}


def test_missing_and_failed_partitions_make_the_asset_partly_stale(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(CODE)
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        cli("materialize", "--select", "daily", "--partition", day, "--json", home=home, file=path)
    assert _stale(cli, home, path) == {"daily": ["1 of 4 partitions missing, 1 failed"]}
    assert cli("materialize", "--select", "summary", "--json", home=home, file=path).returncode == 0
    # summary is newer than daily's partitions: daily's missing days are not passed down to it
    assert _stale(cli, home, path) == {"daily": ["1 of 4 partitions missing, 1 failed"]}
    for day in ("2024-01-04",):
        cli("materialize", "--select", "daily", "--partition", day, "--json", home=home, file=path)
    assert _stale(cli, home, path)["daily"] == ["1 of 4 partitions failed"]


def test_materialize_stale_leaves_partitioned_assets_out(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(CODE)
    proc = cli("materialize", "--stale", home=home, file=path)
    assert proc.returncode == 0, proc.stderr
    assert "left out (partitioned, run by partition): daily" in proc.stderr
    assert "dagdeck backfill launch --select daily --all" in proc.stderr
    proc = cli("materialize", "--stale", "--json", home=home, file=path)
    assert proc.returncode == 0, proc.stderr
    assert parse_json(proc)["run_id"] is None  # summary and plain are up to date; daily is left out
