"""Backfills in the engine: how partitions group into runs (BackfillPolicy), launching through the
run queue without ever launching a chunk twice, the in-flight cap, cancel and retry-failed.

Most tests tend the backfill by hand with runs left QUEUED (no workers); the last ones run real
workers through a daemon and wait for conditions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dagdeck.core.automation.backfill_actions import cancel_backfill, retry_failed
from dagdeck.core.automation.backfill_plan import (
    BackfillError,
    new_backfill,
    partition_range,
    partitions_def_of,
)
from dagdeck.core.automation.backfill_states import backfill_view
from dagdeck.core.automation.backfills import BackfillPass
from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import CodeLocation, Loaded, load
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher, enqueued_event, new_run_id
from dagdeck.core.settings import Settings
from dagdeck.core.statuses import BackfillStatus, PartitionRunStatus, RunStatus
from dagdeck.store import Backfill, Run

DEFS = """
import dagdeck as dg
from pathlib import Path

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")
FAIL = Path(__file__).parent / "fail"

@dg.asset(partitions_def=daily)
def orders(context):
    if FAIL.exists() and context.partition_key in FAIL.read_text().split():
        raise Exception(f"partition {context.partition_key} is broken")
    return context.partition_key

@dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.multi_run(3))
def by_three(context):
    return 1

@dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.single_run())
def all_at_once(context):
    return 1

@dg.asset
def plain():
    return 1

defs = dg.Definitions(assets=[orders, by_three, all_at_once, plain])
"""

DEADLINE = 300.0


@pytest.fixture
def loaded(tmp_path: Path) -> Loaded:
    path = tmp_path / "defs.py"
    path.write_text(DEFS)
    return load(CodeLocation(file=str(path), working_dir=str(tmp_path)))


@pytest.fixture
def open_instance(home: Path) -> Iterator[Callable[[int], Instance]]:
    made: list[Instance] = []

    def make(max_concurrent_runs: int) -> Instance:
        inst = Instance.open(home, Settings(max_concurrent_runs=max_concurrent_runs))
        made.append(inst)
        return inst

    yield make
    for inst in made:
        inst.close()


def _request(instance: Instance, loaded: Loaded, asset: str, keys: list[str] | None = None) -> Backfill:
    asset_keys = [AssetKey(asset)]
    every = list(partitions_def_of(loaded.defs, asset_keys).get_partition_keys())
    backfill = new_backfill(loaded.defs, loaded.location, asset, asset_keys, keys or every)
    instance.store.add_backfill(backfill)
    return backfill


def _runs(instance: Instance, backfill_id: str) -> list[Run]:
    runs = [instance.store.get_run(run_id) for _c, run_id, _s in instance.store.backfill_runs(backfill_id)]
    return [r for r in runs if r is not None]


def _wait(what: str, probe: Callable[[], object]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_one_run_per_partition_without_policy(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(-1)
    backfill = _request(inst, loaded, "orders")
    assert backfill.status == BackfillStatus.REQUESTED and len(backfill.partition_keys) == 10
    assert BackfillPass(inst.store, -1).tend(loaded.defs)
    runs = _runs(inst, backfill.backfill_id)
    assert [r.tags["dagster/partition"] for r in runs] == backfill.partition_keys
    assert {r.tags["dagster/backfill"] for r in runs} == {backfill.backfill_id}
    assert {r.status for r in runs} == {RunStatus.QUEUED}
    assert all(r.plan["assets"] == ["orders"] for r in runs)
    stored = inst.store.get_backfill(backfill.backfill_id)
    assert stored is not None and stored.status == BackfillStatus.IN_PROGRESS


def test_multi_run_policy_groups_partitions_into_ranges(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(-1)
    backfill = _request(inst, loaded, "by_three")
    assert backfill.partitions_per_run == 3
    BackfillPass(inst.store, -1).tend(loaded.defs)
    runs = _runs(inst, backfill.backfill_id)
    ranges = [
        (r.tags.get("dagster/asset_partition_range_start"), r.tags.get("dagster/asset_partition_range_end"))
        for r in runs
    ]
    # the last chunk holds one partition: still a range, as Dagster tags it
    assert ranges == [
        ("2024-01-01", "2024-01-03"),
        ("2024-01-04", "2024-01-06"),
        ("2024-01-07", "2024-01-09"),
        ("2024-01-10", "2024-01-10"),
    ]
    assert all("dagster/partition" not in r.tags for r in runs)


def test_single_run_policy_launches_one_run_for_the_range(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(-1)
    backfill = _request(inst, loaded, "all_at_once", ["2024-01-03", "2024-01-04", "2024-01-05"])
    assert backfill.partitions_per_run is None
    BackfillPass(inst.store, -1).tend(loaded.defs)
    (run,) = _runs(inst, backfill.backfill_id)
    assert run.tags["dagster/asset_partition_range_start"] == "2024-01-03"
    assert run.tags["dagster/asset_partition_range_end"] == "2024-01-05"
    assert "dagster/partition" not in run.tags


def test_a_chunk_is_never_launched_twice(open_instance: Callable[[int], Instance], loaded: Loaded) -> None:
    """Two leaders (or a resumed one) racing for the same chunk: the second claim creates nothing."""
    inst = open_instance(-1)
    backfill = _request(inst, loaded, "orders")

    def launch(chunk: int) -> list[str]:
        run = Run(
            run_id=new_run_id(), job_name="__asset_job", status=RunStatus.QUEUED, created_at=time.time()
        )
        return inst.store.launch_backfill_runs(
            backfill.backfill_id,
            ["REQUESTED", "IN_PROGRESS"],
            "IN_PROGRESS",
            [(chunk, run, [enqueued_event(run)])],
        )

    first = launch(0)
    assert len(first) == 1
    assert launch(0) == []
    assert [r.run_id for r in _runs(inst, backfill.backfill_id)] == first
    assert inst.store.count_runs() == 1
    # the daemon's pass then launches the other chunks only
    BackfillPass(inst.store, -1).tend(loaded.defs)
    runs = _runs(inst, backfill.backfill_id)
    assert len(runs) == 10 and runs[0].run_id == first[0]


def test_in_flight_runs_are_capped_by_max_concurrent_runs(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(2)
    backfill = _request(inst, loaded, "orders")
    tender = BackfillPass(inst.store, 2)
    tender.tend(loaded.defs)
    tender.tend(loaded.defs)
    runs = _runs(inst, backfill.backfill_id)
    assert len(runs) == 4  # twice the run slots, however many passes
    for run in runs[:3]:
        assert inst.store.transition_run(run.run_id, [RunStatus.QUEUED], RunStatus.SUCCESS)
    tender.tend(loaded.defs)
    assert len(_runs(inst, backfill.backfill_id)) == 7


def test_cancel_cancels_queued_runs_and_stops_launching(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(0)  # paused queue: every run stays QUEUED
    backfill = _request(inst, loaded, "orders")
    tender = BackfillPass(inst.store, 0)
    tender.tend(loaded.defs)
    launched = _runs(inst, backfill.backfill_id)
    assert len(launched) == 1
    canceled = cancel_backfill(inst.store, Launcher(inst), backfill)
    assert canceled.status == BackfillStatus.CANCELED and canceled.ended_at is not None
    assert {r.status for r in _runs(inst, backfill.backfill_id)} == {RunStatus.CANCELED}
    tender.tend(loaded.defs)
    assert len(_runs(inst, backfill.backfill_id)) == 1
    view = backfill_view(inst.store, canceled)
    assert view.counts()[PartitionRunStatus.FAILED] == 1
    assert view.counts()[PartitionRunStatus.MISSING] == 9
    with pytest.raises(BackfillError, match="is CANCELED"):
        cancel_backfill(inst.store, Launcher(inst), canceled)


def test_selection_and_range_errors(open_instance: Callable[[int], Instance], loaded: Loaded) -> None:
    with pytest.raises(BackfillError, match="plain is not partitioned"):
        partitions_def_of(loaded.defs, [AssetKey("plain")])
    keys = ["a", "b", "c"]
    assert partition_range(keys, "b", "c") == ["b", "c"]
    with pytest.raises(BackfillError, match="comes after"):
        partition_range(keys, "c", "a")
    with pytest.raises(BackfillError, match="'z' is not a partition"):
        partition_range(keys, "a", "z")


def test_retry_failed_reruns_only_the_failed_partitions(
    open_instance: Callable[[int], Instance], loaded: Loaded, tmp_path: Path
) -> None:
    (tmp_path / "fail").write_text("2024-01-02 2024-01-05")
    inst = open_instance(4)
    backfill = _request(
        inst, loaded, "orders", ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
    )
    with pytest.raises(BackfillError, match="wait for it to end"):
        retry_failed(inst.store, backfill)
    daemon = Daemon(inst, loaded, watch_files=False, interval=0.05)
    daemon.start()
    try:

        def ended(backfill_id: str) -> Backfill | None:
            b = inst.store.get_backfill(backfill_id)
            return b if b is not None and b.status not in ("REQUESTED", "IN_PROGRESS") else None

        _wait("the backfill to end", lambda: ended(backfill.backfill_id))
        first = ended(backfill.backfill_id)
        assert first is not None and first.status == BackfillStatus.FAILED
        view = backfill_view(inst.store, first)
        failed = [k for k, s in view.partitions.items() if s == PartitionRunStatus.FAILED]
        assert failed == ["2024-01-02", "2024-01-05"]

        with pytest.raises(BackfillError, match="2024-01-01 did not fail"):
            retry_failed(inst.store, first, ["2024-01-01"])
        (tmp_path / "fail").write_text("")
        retry = retry_failed(inst.store, first)
        assert retry.partition_keys == failed and retry.parent_backfill_id == backfill.backfill_id
        assert retry.tags["dagster/parent_backfill_id"] == backfill.backfill_id
        assert retry.tags["dagster/root_backfill_id"] == backfill.backfill_id
        daemon.wake()
        _wait("the retry to end", lambda: ended(retry.backfill_id))
        done = ended(retry.backfill_id)
        assert done is not None and done.status == BackfillStatus.COMPLETED
        runs = _runs(inst, retry.backfill_id)
        assert sorted(r.tags["dagster/partition"] for r in runs) == failed
        assert {r.status for r in runs} == {RunStatus.SUCCESS}
    finally:
        daemon.stop()


def test_a_backfill_whose_assets_are_gone_fails_with_the_reason(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(4)
    backfill = _request(inst, loaded, "orders")
    backfill.selection = {"select": "renamed", "assets": ["renamed"]}
    inst.store.transition_backfill(backfill.backfill_id, ["REQUESTED"], "CANCELED")
    gone = Backfill(**{**backfill.model_dump(), "backfill_id": "gone0001", "status": "REQUESTED"})
    inst.store.add_backfill(gone)
    assert not BackfillPass(inst.store, 4).tend(loaded.defs)
    stored = inst.store.get_backfill("gone0001")
    assert stored is not None and stored.status == BackfillStatus.FAILED
    assert stored.failure_reason == "assets renamed are no longer defined"
    assert stored.ended_at is not None


def test_a_run_that_never_started_is_relaunched_a_few_times(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    """A run whose claimer died before starting its worker ends FAILURE with no start: none of its
    code ran, so the daemon gives its chunk a new run (up to three launches in all)."""
    inst = open_instance(-1)
    backfill = _request(inst, loaded, "orders", ["2024-01-01", "2024-01-02"])
    tender = BackfillPass(inst.store, -1)
    tender.tend(loaded.defs)
    first, other = _runs(inst, backfill.backfill_id)
    assert inst.store.transition_run(other.run_id, [RunStatus.QUEUED], RunStatus.SUCCESS, {"started_at": 1.0})
    seen = [first.run_id]
    for launch in (2, 3):
        current = _runs(inst, backfill.backfill_id)[0]
        assert inst.store.transition_run(current.run_id, [RunStatus.QUEUED], RunStatus.FAILURE)
        assert tender.tend(loaded.defs)
        again = _runs(inst, backfill.backfill_id)[0]
        assert again.run_id not in seen and again.status == RunStatus.QUEUED
        assert again.tags["dagster/partition"] == "2024-01-01"
        assert again.tags["dagdeck/backfill_launch"] == str(launch)
        seen.append(again.run_id)
    assert inst.store.transition_run(seen[-1], [RunStatus.QUEUED], RunStatus.FAILURE)
    assert not tender.tend(loaded.defs)  # third launch failed too: the partition stays failed
    stored = inst.store.get_backfill(backfill.backfill_id)
    assert stored is not None and stored.status == BackfillStatus.FAILED
    view = backfill_view(inst.store, stored)
    assert view.partitions == {
        "2024-01-01": PartitionRunStatus.FAILED,
        "2024-01-02": PartitionRunStatus.MATERIALIZED,
    }


def test_a_run_that_started_and_failed_is_not_relaunched(
    open_instance: Callable[[int], Instance], loaded: Loaded
) -> None:
    inst = open_instance(-1)
    backfill = _request(inst, loaded, "orders", ["2024-01-01"])
    tender = BackfillPass(inst.store, -1)
    tender.tend(loaded.defs)
    (run,) = _runs(inst, backfill.backfill_id)
    assert inst.store.transition_run(run.run_id, [RunStatus.QUEUED], RunStatus.FAILURE, {"started_at": 1.0})
    assert not tender.tend(loaded.defs)
    assert [r.run_id for r in _runs(inst, backfill.backfill_id)] == [run.run_id]
    stored = inst.store.get_backfill(backfill.backfill_id)
    assert stored is not None and stored.status == BackfillStatus.FAILED
