"""Backfills of partitioned assets and `BackfillPolicy`, side by side with Dagster 1.13.28.

Dagster's side was observed with the same pipeline (`import dagster as dg`): asset backfills
submitted to an instance with a `QueuedRunCoordinator` and run by `dagster-daemon run`; runs, tags,
statuses and materializations read back with `instance.get_runs(RunsFilter(tags=...))` and
`instance.all_logs(run_id)`. dagdeck's side goes through `dagdeck backfill ...` and a real
`dagdeck daemon` process.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compat_helpers import cli, cli_run, load, pipeline, run_record

import dagdeck as dg
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.store import Run, Store
from tests.faults.automation_helpers import daemon_process, wait_for

PIPELINE = "backfills_policy"
ALL_DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]


def _json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def daemon(home: Path, tmp_path: Path) -> Iterator[None]:
    with daemon_process(pipeline(PIPELINE), home, tmp_path / "daemon.log"):
        yield


def _backfill(home: Path, *args: str) -> str:
    return str(
        _json(cli(pipeline(PIPELINE), "backfill", "launch", *args, "--json", home=home))["backfill_id"]
    )


def _ended(home: Path, backfill_id: str) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        doc = _json(cli(pipeline(PIPELINE), "backfill", "show", backfill_id, "--json", home=home))
        return doc if doc["status"] not in ("REQUESTED", "IN_PROGRESS") else None

    return wait_for(f"backfill {backfill_id} to end", probe)


def _runs(home: Path, backfill_id: str) -> list[Run]:
    with Store.sqlite(home / "dagdeck.db") as store:
        runs = [store.get_run(run_id) for _c, run_id, _s in store.backfill_runs(backfill_id)]
    return [r for r in runs if r is not None]


def _partition_tags(run: Run) -> dict[str, str]:
    return {k: v for k, v in run.tags.items() if k.startswith("dagster/") and "partition" in k}


def test_backfill_launches_one_run_per_partition(home: Path, daemon: None) -> None:
    """Dagster 1.13.28: a backfill of `orders` (no policy) for 2024-01-02..2024-01-04 launches three
    runs, each tagged dagster/backfill=<id> and dagster/partition=<day>; 2024-01-02 and 2024-01-04
    SUCCESS, 2024-01-03 FAILURE (the asset raises); the backfill ends COMPLETED_FAILED."""
    backfill_id = _backfill(home, "--select", "orders", "--from", "2024-01-02", "--to", "2024-01-04")
    doc = _ended(home, backfill_id)
    assert doc["status"] == "FAILED"
    assert doc["partitions"] == {
        "2024-01-02": "materialized",
        "2024-01-03": "failed",
        "2024-01-04": "materialized",
    }
    runs = _runs(home, backfill_id)
    assert {r.tags["dagster/partition"]: r.status for r in runs} == {
        "2024-01-02": "SUCCESS",
        "2024-01-03": "FAILURE",
        "2024-01-04": "SUCCESS",
    }
    assert {r.tags["dagster/backfill"] for r in runs} == {backfill_id}
    assert sorted(doc["run_ids"]) == sorted(r.run_id for r in runs)


def test_multi_run_policy_puts_two_partitions_in_each_run(home: Path, daemon: None) -> None:
    """Dagster 1.13.28: a backfill of `order_totals` (multi_run(max_partitions_per_run=2)) over all
    five days launches three runs tagged with dagster/asset_partition_range_start/_end
    01-01..01-02, 01-03..01-04 and 01-05..01-05 (no dagster/partition tag), all SUCCESS; each run
    materializes each of its partitions with metadata partitions=2 (=1 for the last run); the
    backfill ends COMPLETED_SUCCESS."""
    backfill_id = _backfill(home, "--select", "order_totals", "--all")
    doc = _ended(home, backfill_id)
    assert doc["status"] == "COMPLETED"
    assert set(doc["partitions"].values()) == {"materialized"}
    runs = _runs(home, backfill_id)
    assert [_partition_tags(r) for r in runs] == [
        {"dagster/asset_partition_range_start": s, "dagster/asset_partition_range_end": e}
        for s, e in (("2024-01-01", "2024-01-02"), ("2024-01-03", "2024-01-04"), ("2024-01-05", "2024-01-05"))
    ]
    assert {r.status for r in runs} == {"SUCCESS"}
    counts = []
    for run in runs:
        record = run_record(home, run.run_id)
        counts += [m["partitions"] for m in record.materializations["order_totals"]]
    assert [c["value"] if isinstance(c, dict) else c for c in counts] == [2, 2, 2, 2, 1]


def test_single_run_policy_runs_the_whole_range_at_once(home: Path, daemon: None) -> None:
    """Dagster 1.13.28: a backfill of `order_report` (single_run()) over all five days launches one
    run tagged dagster/asset_partition_range_start=2024-01-01, _end=2024-01-05; SUCCESS; it
    materializes the five partitions, each with metadata first=2024-01-01, last=2024-01-05."""
    backfill_id = _backfill(home, "--select", "order_report", "--all")
    doc = _ended(home, backfill_id)
    assert doc["status"] == "COMPLETED"
    (run,) = _runs(home, backfill_id)
    assert _partition_tags(run) == {
        "dagster/asset_partition_range_start": "2024-01-01",
        "dagster/asset_partition_range_end": "2024-01-05",
    }
    record = run_record(home, run.run_id)
    assert record.status == "SUCCESS"
    metas = [
        {k: v["value"] if isinstance(v, dict) else v for k, v in m.items()}
        for m in record.materializations["order_report"]
    ]
    assert metas == [{"first": "2024-01-01", "last": "2024-01-05"}] * 5


def test_retry_failed_relaunches_only_the_failed_partitions(home: Path, daemon: None) -> None:
    """Dagster 1.13.28: re-executing a backfill's failed partitions creates a new backfill tagged
    dagster/parent_backfill_id and dagster/root_backfill_id (dagster._core.storage.tags) that
    targets only the partitions whose runs failed; `orders` for 2024-01-03 raises again, so it
    fails again."""
    first = _backfill(home, "--select", "orders", "--from", "2024-01-02", "--to", "2024-01-04")
    assert _ended(home, first)["status"] == "FAILED"
    retry = _json(cli(pipeline(PIPELINE), "backfill", "retry-failed", first, "--json", home=home))
    assert retry["partitions"] == {"2024-01-03": "missing"}
    assert retry["parent_backfill_id"] == first
    doc = _ended(home, retry["backfill_id"])
    assert doc["status"] == "FAILED" and doc["partitions"] == {"2024-01-03": "failed"}
    (run,) = _runs(home, retry["backfill_id"])
    assert run.tags["dagster/partition"] == "2024-01-03"
    assert run.tags["dagster/parent_backfill_id"] == first and run.tags["dagster/root_backfill_id"] == first
    assert run.tags["dagster/backfill"] == retry["backfill_id"]


def test_cancel_cancels_the_queued_runs(home: Path, tmp_path: Path) -> None:
    """Dagster 1.13.28: with the run queue at max_concurrent_runs 0 a backfill of `orders` leaves its
    runs QUEUED; canceling it (CANCELING, then the daemon) moves every queued run to CANCELED and
    the backfill to CANCELED with an end time. (Dagster queued all five runs at once; dagdeck
    queues at most twice the run slots, one here, so the other partitions are never launched.)"""
    (home / "dagdeck.toml").write_text("max_concurrent_runs = 0\n")
    backfill_id = _backfill(home, "--select", "orders", "--all")
    with daemon_process(pipeline(PIPELINE), home, tmp_path / "daemon.log"):
        wait_for("a queued run", lambda: _runs(home, backfill_id))
        canceled = _json(cli(pipeline(PIPELINE), "backfill", "cancel", backfill_id, "--json", home=home))
    assert canceled["status"] == "CANCELED" and canceled["ended_at"] is not None
    runs = _runs(home, backfill_id)
    assert runs and {r.status for r in runs} == {"CANCELED"}
    assert list(canceled["partitions"].values()).count("missing") == 5 - len(runs)


def test_backfill_policy_values() -> None:
    """Dagster 1.13.28: str(BackfillPolicy.single_run()) is 'BackfillPolicy.single_run()' and its
    max_partitions_per_run None, policy_type SINGLE_RUN; multi_run(2) prints
    'BackfillPolicy.multi_run(max_partitions_per_run=2)', MULTI_RUN, and equals another
    multi_run(2); multi_run() defaults to 1; multi_run(0) counts as SINGLE_RUN."""
    single, two = dg.BackfillPolicy.single_run(), dg.BackfillPolicy.multi_run(2)
    assert str(single) == "BackfillPolicy.single_run()"
    assert single.max_partitions_per_run is None and single.policy_type.value == "SINGLE_RUN"
    assert str(two) == "BackfillPolicy.multi_run(max_partitions_per_run=2)"
    assert two.policy_type.value == "MULTI_RUN" and two == dg.BackfillPolicy.multi_run(2)
    assert dg.BackfillPolicy.multi_run().max_partitions_per_run == 1
    assert dg.BackfillPolicy.multi_run(0).policy_type.value == "SINGLE_RUN"
    assert repr(two) == "BackfillPolicy(max_partitions_per_run=2)"


def test_assets_carry_their_backfill_policy() -> None:
    """Dagster 1.13.28: `orders.backfill_policy` is None, `order_totals.backfill_policy` is
    multi_run(max_partitions_per_run=2), `order_report.backfill_policy` is single_run()."""
    defs = load(pipeline(PIPELINE))
    policies = {
        str(k): defs.asset_graph.assets[k].definition.backfill_policy for k in defs.asset_graph.assets
    }
    assert policies == {
        "orders": None,
        "order_totals": dg.BackfillPolicy.multi_run(2),
        "order_report": dg.BackfillPolicy.single_run(),
    }
    assert AssetKey("orders") in defs.asset_graph.assets


def test_materialize_one_partition_through_the_cli(home: Path) -> None:
    """Dagster 1.13.28: `materialize([orders], partition_key="2024-01-02")` succeeds, the run tagged
    dagster/partition=2024-01-02, and the output is "2024-01-02"; partition_key="2024-01-03"
    fails with the step error 'Exception: the orders export for 2024-01-03 is corrupt'."""
    run = cli_run(
        pipeline(PIPELINE), "materialize", "--select", "orders", "--partition", "2024-01-02", home=home
    )
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS" and run.steps == {"orders": "succeeded"}
    failed = cli_run(
        pipeline(PIPELINE), "materialize", "--select", "orders", "--partition", "2024-01-03", home=home
    )
    assert failed.returncode == 1
    assert failed.status == "FAILURE"
    assert "the orders export for 2024-01-03 is corrupt" in json.dumps(failed.doc)
