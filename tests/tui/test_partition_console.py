"""Partitions in the console: the health strip of the metadata pane (folding unit-tested), the
partition view (`p`: cursor, marks, shift-ranges, `m` and `b` behind confirm dialogs that count the
runs) and SVG snapshots of both at 80x24 and 120x36."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import BASE, notes, plain, settle, wait_until

from dagdeck.core.console_api import PartitionStatus
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.store import Run
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.partitions import PartitionGrid, PartitionsScreen
from dagdeck.tui.widgets.asset_detail import AssetDetailPane, detail_renderable
from dagdeck.tui.widgets.dialogs import ConfirmScreen
from dagdeck.tui.widgets.partition_strip import axis, fold

M, F, P, X = (
    PartitionStatus.MATERIALIZED,
    PartitionStatus.FAILED,
    PartitionStatus.IN_PROGRESS,
    PartitionStatus.MISSING,
)
SIZES = pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
Snap = Callable[..., bool]

PARTS_DEFS = """
    import dagdeck as dg

    days = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-03-02")

    @dg.asset(group_name="parts", partitions_def=days)
    def orders_by_day(context):
        return context.partition_key

    @dg.asset(group_name="parts", partitions_def=dg.StaticPartitionsDefinition(["eu", "us", "asia"]))
    def regional(context):
        return context.partition_key

    @dg.asset(
        group_name="parts",
        partitions_def=dg.MultiPartitionsDefinition(
            {"date": dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-11"),
             "region": dg.StaticPartitionsDefinition(["eu", "us"])}
        ),
    )
    def multi(context):
        return 1

    @dg.asset(group_name="plain")
    def plain_asset():
        return 1

    defs = dg.Definitions(assets=[orders_by_day, regional, multi, plain_asset])
"""


# -- the strip's folding (pure) -----------------------------------------------------------------------
def _days(n: int) -> list[datetime]:
    return [datetime(2024, 1, 1) + timedelta(days=i) for i in range(n)]


def test_strip_one_cell_per_partition_when_they_fit() -> None:
    folded = fold([M, F, X, P], 10)
    assert folded.unit == "partition"
    assert [c.status for c in folded.cells] == [M, F, X, P]


def test_strip_folds_1000_days_into_months_keeping_the_worst() -> None:
    statuses = [M] * 1000
    statuses[500] = F  # 2025-05-15
    statuses[10] = X
    statuses[40] = P
    folded = fold(statuses, 60, _days(1000))
    assert folded.unit == "month" and len(folded.cells) == 33
    worst = {c.status for c in folded.cells if c.status is not M}
    assert worst == {F, X, P}
    failed = next(c for c in folded.cells if c.status is F)
    assert failed.first <= 500 <= failed.last
    line = axis(folded, [], _days(1000), 60)
    assert line.startswith("╵Jan 2024") and "╵Jan 2025" in line and len(line) <= 60


def test_strip_folds_into_weeks_when_they_fit_and_missing_beats_in_progress() -> None:
    statuses = [M] * 60
    statuses[3], statuses[4] = P, X
    folded = fold(statuses, 20, _days(60))
    assert folded.unit == "week"
    assert folded.cells[0].status is X  # 2024-01-01..07: missing is worse than in progress
    assert all(c.last - c.first <= 6 for c in folded.cells)


def test_strip_without_dates_folds_equal_runs_and_labels_first_and_last_key() -> None:
    keys = [f"k{i:03}" for i in range(100)]
    folded = fold([M] * 99 + [F], 30, None)
    assert folded.unit == "4 partitions" and len(folded.cells) == 25
    assert folded.cells[-1].status is F
    line = axis(folded, keys, None, 30)
    assert line.startswith("k000") and line.rstrip().endswith("k099")


# -- the console ---------------------------------------------------------------------------------------
def _seed_partitions(instance: Instance) -> None:
    """orders_by_day: 2026-01-01..03 materialized, 01-04 failed, 01-05 in progress; regional: eu."""

    def add(run_id: str, asset: str, key: str, status: str, t: float, *, ok: bool | None) -> None:
        run = Run(
            run_id=run_id,
            job_name="__ASSET_JOB",
            status=status,
            trigger="cli",
            created_at=BASE + t,
            started_at=BASE + t,
            ended_at=None if ok is None else BASE + t + 1,
            plan={"steps": [asset], "assets": [asset]},
            tags={"dagster/partition": key},
        )
        events = [
            make_event(EventType.STEP_START, run_id, step_key=asset, asset_key=asset, timestamp=BASE + t)
        ]
        if ok:
            events.append(
                make_event(
                    EventType.ASSET_MATERIALIZATION,
                    run_id,
                    step_key=asset,
                    asset_key=asset,
                    timestamp=BASE + t + 0.5,
                    partition=key,
                    metadata={"rows": {"type": "int", "value": 10}},
                )
            )
        elif ok is False:
            events.append(
                make_event(
                    EventType.STEP_FAILURE, run_id, step_key=asset, asset_key=asset, timestamp=BASE + t + 0.5
                )
            )
        instance.store.add_run(run, events)

    for i, day in enumerate(["2026-01-01", "2026-01-02", "2026-01-03"]):
        add(f"{i:08}" + "a" * 24, "orders_by_day", day, "SUCCESS", i * 10, ok=True)
    add("0000000f" + "b" * 24, "orders_by_day", "2026-01-04", "FAILURE", 40, ok=False)
    add("0000000e" + "c" * 24, "orders_by_day", "2026-01-05", "STARTED", 50, ok=None)
    add("0000000d" + "d" * 24, "regional", "eu", "SUCCESS", 60, ok=True)


@pytest.fixture
def parts(defs_file: Callable[[str], Path], instance: Instance) -> Path:
    path = defs_file(PARTS_DEFS)
    _seed_partitions(instance)
    return path


async def _on_asset(pilot: Pilot[Any], key: str) -> AssetDetailPane:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AssetsScreen)
    await wait_until(pilot, lambda: bool(screen.graph.rows), what="the asset rows")
    screen.select_asset(key)
    pane = screen.query_one(AssetDetailPane)
    await wait_until(pilot, lambda: pane.shown_key == key, what=f"the detail of {key}")
    await settle(pilot)
    return pane


def _pane_text(pane: AssetDetailPane) -> str:
    assert pane.detail is not None
    return plain(detail_renderable(pane.detail, None, pane.partitions), width=60)


async def test_metadata_pane_shows_the_partition_strip(
    make_app: Callable[..., DagdeckApp], parts: Path
) -> None:
    app = make_app(parts)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await _on_asset(pilot, "orders_by_day")
        health = pane.partitions
        assert health is not None and len(health.keys) == 60
        assert [health.count(s) for s in (M, F, P, X)] == [3, 1, 1, 55]
        text = _pane_text(pane)
        assert "60 partitions" in text
        assert "✖ 1 failed" in text and "█ 3 materialized" in text and "▒ 1 in progress" in text
        assert "╵2026-01-01" in text
        pane = await _on_asset(pilot, "plain_asset")
        assert pane.partitions is None
        assert "partitions" not in _pane_text(pane)


async def _open_partitions(pilot: Pilot[Any], key: str) -> PartitionsScreen:
    await _on_asset(pilot, key)
    await pilot.press("p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PartitionsScreen), what="the partition view")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PartitionsScreen)
    return screen


async def test_partition_view_moves_marks_and_backfills_the_marked_range(
    make_app: Callable[..., DagdeckApp], parts: Path, instance: Instance
) -> None:
    app = make_app(parts)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_partitions(pilot, "orders_by_day")
        grid = screen.query_one(PartitionGrid)
        assert grid.shape == (7, 9)  # a week to a row
        assert screen.cursor_key == "2026-01-01"
        await pilot.press("right", "down")
        assert screen.cursor_key == "2026-01-09"
        await pilot.press("shift+right", "shift+right")
        assert screen.marked_keys() == ["2026-01-09", "2026-01-10", "2026-01-11"]
        await pilot.press("space")  # unmarks the cursor's
        assert screen.marked_keys() == ["2026-01-09", "2026-01-10"]
        info = plain(screen.query_one("#partitions-info", Static).content)
        assert "2 marked (2026-01-09 … 2026-01-10)" in info
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the backfill confirm")
        body = plain(app.screen.query_one("#confirm-body", Static).content)
        assert "2 run(s) will start" in body
        await pilot.press("y")
        await wait_until(pilot, lambda: instance.store.list_backfills(), what="the backfill record")
        (backfill,) = instance.store.list_backfills()
        assert list(backfill.partition_keys) == ["2026-01-09", "2026-01-10"]
        await wait_until(pilot, lambda: not screen.marked_keys(), what="the marks to clear")
        await pilot.press("escape")
        assert isinstance(app.screen, AssetsScreen)


async def test_partition_view_m_runs_the_partition_under_the_cursor(
    make_app: Callable[..., DagdeckApp], parts: Path, instance: Instance
) -> None:
    app = make_app(parts)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_partitions(pilot, "regional")
        assert screen.cursor_key == "eu"
        grid = screen.query_one(PartitionGrid)
        assert grid.shape == (1, 3) and grid.row_labels() == ["eu", "us", "asia"]  # a named row each
        await pilot.press("b")
        assert any("no partition marked" in m for m, _ in notes(app))
        await pilot.press("l", "m")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the run confirm")
        assert "1 run will start" in plain(app.screen.query_one("#confirm-body", Static).content)
        before = {r.run_id for r in instance.store.list_runs()}
        await pilot.press("y")
        new = await wait_until(
            pilot,
            lambda: [r for r in instance.store.list_runs() if r.run_id not in before],
            what="the partition run",
        )
        assert new[0].tags.get("dagster/partition") == "us"


async def test_multi_partitions_have_the_second_dimension_as_rows(
    make_app: Callable[..., DagdeckApp], parts: Path
) -> None:
    app = make_app(parts)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_partitions(pilot, "multi")
        grid = screen.query_one(PartitionGrid)
        assert grid.shape == (10, 2)
        assert grid.row_labels() == ["eu", "us"]
        await pilot.press("down", "right", "right")
        assert screen.cursor_key == "2026-01-03|us"
        await pilot.press("shift+up", "shift+left")
        assert screen.marked_keys() == ["2026-01-02|eu", "2026-01-02|us", "2026-01-03|eu", "2026-01-03|us"]


async def test_p_on_an_unpartitioned_asset_says_so(make_app: Callable[..., DagdeckApp], parts: Path) -> None:
    app = make_app(parts)
    async with app.run_test(size=(120, 36)) as pilot:
        await _on_asset(pilot, "plain_asset")
        await pilot.press("p")
        await wait_until(pilot, lambda: notes(app), what="a notification")
        assert any("plain_asset is not partitioned" in m for m, _ in notes(app))
        assert isinstance(app.screen, AssetsScreen)


# -- snapshots -----------------------------------------------------------------------------------------
@SIZES
def test_snapshot_strip(
    snap_compare: Snap, make_app: Callable[..., DagdeckApp], parts: Path, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _on_asset(pilot, "orders_by_day")

    assert snap_compare(make_app(parts), terminal_size=size, run_before=run_before)


@SIZES
def test_snapshot_partition_view(
    snap_compare: Snap, make_app: Callable[..., DagdeckApp], parts: Path, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open_partitions(pilot, "orders_by_day")
        await pilot.press("right", "shift+right", "shift+down")
        await settle(pilot)

    assert snap_compare(make_app(parts), terminal_size=size, run_before=run_before)


async def test_m_on_a_partitioned_asset_points_to_the_partition_view(
    make_app: Callable[..., DagdeckApp], parts: Path, instance: Instance
) -> None:
    app = make_app(parts)
    async with app.run_test(size=(120, 36)) as pilot:
        await _on_asset(pilot, "regional")
        before = len(instance.store.list_runs())
        await pilot.press("m")
        await wait_until(pilot, lambda: notes(app), what="a notification")
        assert any("regional: partitioned" in m and "p opens its partitions" in m for m, _ in notes(app))
        await settle(pilot)
        assert isinstance(app.screen, AssetsScreen)  # no confirm dialog, no run
        assert len(instance.store.list_runs()) == before
