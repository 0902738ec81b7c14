"""The Backfills screen (`5`, `:backfills`): the list with progress and counts, one backfill's
partitions and runs, cancel and retry-failed (all failed, or the marked ones) behind confirm
dialogs, read-only refusal, and snapshots of the list and the detail.

The store is seeded through the engine's own records: a backfill planned by `new_backfill` for a
partitioned definitions file, its runs claimed chunk by chunk (`launch_backfill_runs`) and then
moved to their end states, with fixed ids and timestamps so snapshots never change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import BASE, notes, settle, wait_until

from dagdeck.core.automation.backfill_plan import ACTIVE, new_backfill
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import enqueued_event
from dagdeck.core.statuses import BackfillStatus, RunStatus
from dagdeck.store import Run
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.backfill import BackfillScreen
from dagdeck.tui.screens.backfills import BackfillsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.widgets.dialogs import ConfirmScreen

MakeApp = Callable[..., DagdeckApp]
SIZE = (120, 36)

DEFS = """
import dagdeck as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")


@dg.asset(partitions_def=daily, group_name="shop")
def orders(context):
    return context.partition_key
"""

DONE = "bf00aaaa"
"""Ended FAILED: 5 partitions, 3 materialized and 2 failed."""
GOING = "bf00bbbb"
"""IN_PROGRESS: 10 partitions, 3 materialized, 1 failed, 2 queued, 4 not launched."""
DAYS = [f"2024-01-{d:02d}" for d in range(1, 11)]


def run_id(backfill_id: str, chunk: int) -> str:
    return f"{backfill_id[-1] * 4}{chunk:04d}" + "0" * 24


def seed_backfill(
    instance: Instance,
    file: Path,
    project: Path,
    backfill_id: str,
    keys: list[str],
    ends: list[str],
    at: float,
) -> None:
    """Record backfill `backfill_id` of `keys`; chunk i gets a run ending in ends[i] (QUEUED: still
    waiting); more keys than ends are never launched."""
    location = CodeLocation(file=str(file), working_dir=str(project))
    defs = load(location).defs
    backfill = new_backfill(defs, location, "orders", [AssetKey("orders")], keys)
    backfill.backfill_id, backfill.created_at = backfill_id, at
    instance.store.add_backfill(backfill)
    store = instance.store
    for chunk, end in enumerate(ends):
        run = Run(
            run_id=run_id(backfill_id, chunk),
            job_name="__ASSET_JOB",
            status=RunStatus.QUEUED,
            trigger="backfill",
            created_at=at + chunk,
            plan={"steps": ["orders"], "assets": ["orders"]},
            location=location.to_dict(),
            tags={"dagster/backfill": backfill_id, "dagster/partition": keys[chunk]},
        )
        assert store.launch_backfill_runs(
            backfill_id, ACTIVE, "IN_PROGRESS", [(chunk, run, [enqueued_event(run)])]
        )
        if end != RunStatus.QUEUED:
            times = {"started_at": at + chunk + 1, "ended_at": at + chunk + 31}
            assert store.transition_run(run.run_id, [RunStatus.QUEUED], end, times)


@pytest.fixture
def partitioned(defs_file: Callable[[str], Path]) -> Path:
    return defs_file(DEFS)


@pytest.fixture
def backfills(instance: Instance, partitioned: Path, project: Path) -> Instance:
    ok, bad = RunStatus.SUCCESS, RunStatus.FAILURE
    seed_backfill(instance, partitioned, project, DONE, DAYS[:5], [ok, bad, ok, bad, ok], BASE)
    assert instance.store.transition_backfill(DONE, ACTIVE, BackfillStatus.FAILED, ended_at=BASE + 300)
    going = [ok, ok, bad, ok, RunStatus.QUEUED, RunStatus.QUEUED]
    seed_backfill(instance, partitioned, project, GOING, DAYS, going, BASE + 600)
    return instance


def cell_texts(table: Any, row: int) -> list[str]:
    return [str(getattr(c, "plain", c)) for c in table.get_row_at(row)]


async def open_list(pilot: Any) -> BackfillsScreen:
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BackfillsScreen)
    await wait_until(pilot, lambda: screen.table.row_count == 2, what="two backfills")
    return screen


async def open_detail(pilot: Any, row: int) -> BackfillScreen:
    screen = await open_list(pilot)
    screen.table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    detail = pilot.app.screen
    assert isinstance(detail, BackfillScreen)
    await wait_until(pilot, lambda: detail.partitions_table.row_count > 0, what="the partitions")
    return detail


async def test_list_shows_backfills_newest_first_with_progress(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot)
        first, second = cell_texts(screen.table, 0), cell_texts(screen.table, 1)
        assert first[:2] == ["◐ IN_PROGRESS", GOING] and second[:2] == ["✖ FAILED", DONE]
        # counts per state: materialized, failed, in progress (queued runs), missing (never launched)
        assert first[3] == " 10  3✔ 1✖ 2◐ 4·" and second[3] == "  5  3✔ 2✖"
        assert first[6] == "orders"
        bar = first[2]
        assert len(bar) == 12 and bar.count("░") == 5 and "█" in bar
        assert second[5] == "5m00s"  # created to ended
        assert screen.table.border_title == "backfills (2, 1 active)"


async def test_list_refreshes_by_itself(make_app: MakeApp, backfills: Instance, partitioned: Path) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot)
        queued = run_id(GOING, 4)
        assert backfills.store.transition_run(
            queued, [RunStatus.QUEUED], RunStatus.SUCCESS, {"started_at": BASE}
        )
        # no key pressed: the screen reads the store again on its own
        await wait_until(
            pilot, lambda: cell_texts(screen.table, 0)[3] == " 10  4✔ 1✖ 1◐ 4·", what="the new count"
        )


async def test_command_and_completion_reach_the_screen(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    from dagdeck.tui.completion import complete_command
    from dagdeck.tui.widgets.command_line import CommandLine

    assert "backfills" in complete_command("back", app_names()).choices
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        app.screen.query_one(CommandLine).insert_text_at_cursor("backfills")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "backfills" and isinstance(app.screen, BackfillsScreen)


def app_names() -> Any:
    from dagdeck.core.console_api import CompletionNames

    return CompletionNames()


async def test_open_shows_partitions_and_runs_and_enter_opens_a_run(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, 1)
        assert detail.backfill_id == DONE
        parts = detail.partitions_table
        assert [cell_texts(parts, n)[1:] for n in range(parts.row_count)] == [
            ["2024-01-01", "✔ materialized", run_id(DONE, 0)[:8]],
            ["2024-01-02", "✖ failed", run_id(DONE, 1)[:8]],
            ["2024-01-03", "✔ materialized", run_id(DONE, 2)[:8]],
            ["2024-01-04", "✖ failed", run_id(DONE, 3)[:8]],
            ["2024-01-05", "✔ materialized", run_id(DONE, 4)[:8]],
        ]
        await wait_until(pilot, lambda: detail.runs_table.row_count == 5, what="the runs")
        assert cell_texts(detail.runs_table, 1)[:3] == ["✖ FAILURE", run_id(DONE, 1)[:8], "2024-01-02"]
        header = str(detail.query_one("#backfill-header").render())
        assert "3 materialized, 2 failed" in header

        # enter on a partition opens its run; q comes back to the backfill
        parts.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and app.screen.run_id == run_id(DONE, 1)
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is detail

        # tab to the runs, enter opens the run under the cursor
        await pilot.press("tab", "j", "j")
        await settle(pilot)
        assert detail.focused is detail.runs_table
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and app.screen.run_id == run_id(DONE, 2)
        await pilot.press("q", "q")
        await settle(pilot)
        assert isinstance(app.screen, BackfillsScreen)


async def test_list_keys_move_the_cursor(make_app: MakeApp, backfills: Instance, partitioned: Path) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, 1)
        parts = detail.partitions_table
        await pilot.press("G")
        assert parts.cursor_row == 4
        await pilot.press("k")
        assert parts.cursor_row == 3
        await pilot.press("g")
        assert parts.cursor_row == 0
        await pilot.press("j")
        assert parts.cursor_row == 1


async def test_cancel_says_how_many_runs_it_cancels(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot)
        screen.table.move_cursor(row=1)
        await pilot.press("c")  # an ended backfill does not cancel
        await settle(pilot)
        assert (f"backfill {DONE} is FAILED; only a running backfill cancels", "warning") in notes(app)

        screen.table.move_cursor(row=0)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.title_text == f"Cancel backfill {GOING}?"
        assert "cancels 2 queued and 0 running run(s)" in dialog.body
        assert "launches none of its 4 partition(s) not started yet" in dialog.body
        await pilot.press("n")
        await settle(pilot)
        assert backfills.store.get_backfill(GOING).status == BackfillStatus.IN_PROGRESS  # type: ignore[union-attr]

        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert backfills.store.get_backfill(GOING).status == BackfillStatus.CANCELED  # type: ignore[union-attr]
        for chunk in (4, 5):
            assert backfills.store.get_run(run_id(GOING, chunk)).status == RunStatus.CANCELED  # type: ignore[union-attr]
            assert run_id(GOING, chunk) in app.api.own_runs  # canceled here: no "canceled elsewhere" toast
        # the canceled runs count as failed partitions (retry-failed runs them again)
        await wait_until(
            pilot, lambda: cell_texts(screen.table, 0)[3] == " 10  3✔ 3✖ 4·", what="the list updated"
        )
        assert cell_texts(screen.table, 0)[0] == "⊘ CANCELED"


async def test_retry_failed_starts_a_backfill_of_the_failed_partitions(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot)
        await pilot.press("r")  # the newest is still in progress
        await settle(pilot)
        assert any("is IN_PROGRESS; wait for it to end" in m for m, _ in notes(app))

        screen.table.move_cursor(row=1)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.title_text == f"Retry 2 failed partition(s) of backfill {DONE}?"
        assert "2024-01-02, 2024-01-04" in dialog.body and "starts 2 run(s)" in dialog.body
        await pilot.press("y")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 3, what="the retry listed")
        retry = backfills.store.list_backfills(limit=1)[0]
        assert retry.parent_backfill_id == DONE and retry.partition_keys == ["2024-01-02", "2024-01-04"]
        assert cell_texts(screen.table, 0)[1] == retry.backfill_id  # newest first, cursor on it
        assert screen.table.cursor_row == 0
        assert any(f"retrying 2 partition(s) of {DONE}" in m for m, _ in notes(app))


async def test_retry_only_the_marked_failed_partitions(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, 1)
        parts = detail.partitions_table
        parts.move_cursor(row=2)
        await pilot.press("space", "space")  # marks 2024-01-03 (materialized) and 2024-01-04 (failed)
        assert detail.marked_keys() == ["2024-01-03", "2024-01-04"]
        assert cell_texts(parts, 2)[0] == "●" and cell_texts(parts, 3)[0] == "●"
        assert parts.cursor_row == 4
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.title_text == f"Retry 1 marked failed partition(s) of backfill {DONE}?"
        assert "1 marked partition(s) did not fail: not retried" in dialog.body
        await pilot.press("enter")
        await settle(pilot)
        retry = backfills.store.list_backfills(limit=1)[0]
        assert retry.parent_backfill_id == DONE and retry.partition_keys == ["2024-01-04"]
        # the retry shows in place of the original; q goes back to the list, its cursor on the retry
        await wait_until(
            pilot, lambda: getattr(app.screen, "backfill_id", None) == retry.backfill_id, what="retry"
        )
        await pilot.press("q")
        await settle(pilot)
        listed = app.screen
        assert isinstance(listed, BackfillsScreen)
        await wait_until(pilot, lambda: listed.table.row_count == 3, what="the retry listed")
        assert cell_texts(listed.table, listed.table.cursor_row)[1] == retry.backfill_id
        listed.table.move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, BackfillScreen) and again.backfill_id == DONE
        await wait_until(pilot, lambda: again.partitions_table.row_count == 5, what="the partitions")
        # only a partition that did not fail marked: nothing to retry
        again.partitions_table.move_cursor(row=2)
        await pilot.press("space", "r")
        await settle(pilot)
        assert (
            f"backfill {DONE}: none of the 1 marked partition(s) failed; nothing to retry",
            "warning",
        ) in notes(app)


async def test_readonly_refuses_cancel_and_retry(
    make_app: MakeApp, backfills: Instance, partitioned: Path
) -> None:
    app = make_app(partitioned, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot)
        await pilot.press("c")
        screen.table.move_cursor(row=1)
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        said = [m for m, _ in notes(app)]
        assert "Cancel: not in a read-only console (started with --readonly)" in said
        assert "Retry failed: not in a read-only console (started with --readonly)" in said
        assert backfills.store.get_backfill(GOING).status == BackfillStatus.IN_PROGRESS  # type: ignore[union-attr]
        assert len(backfills.store.list_backfills()) == 2


async def test_empty_list_says_how_to_start_one(make_app: MakeApp, partitioned: Path) -> None:
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BackfillsScreen)
        await wait_until(pilot, lambda: screen._loaded, what="the first load")
        assert "no backfills yet" in str(screen.query_one("#backfills-legend").render())
        await pilot.press("enter", "c", "r")  # nothing selected: nothing happens, nothing breaks
        await settle(pilot)
        assert app.screen is screen


# -- snapshots ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_snapshot_list(
    snap_compare: Any, make_app: MakeApp, backfills: Instance, partitioned: Path, size: Any
) -> None:
    app = make_app(partitioned)

    async def run_before(pilot: Any) -> None:
        await open_list(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_snapshot_detail(
    snap_compare: Any, make_app: MakeApp, backfills: Instance, partitioned: Path, size: Any
) -> None:
    app = make_app(partitioned)

    async def run_before(pilot: Any) -> None:
        detail = await open_detail(pilot, 0)
        await wait_until(pilot, lambda: detail.runs_table.row_count == 6, what="the runs")
        detail.partitions_table.move_cursor(row=1)
        await pilot.press("space")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_help_lists_the_backfill_keys_with_unique_ids(make_app: MakeApp, partitioned: Path) -> None:
    from dagdeck.tui.key_help import sources
    from dagdeck.tui.widgets.help_screen import HelpScreen

    actions: dict[str, str] = {}
    for src in sources(DagdeckApp.BINDINGS, None):  # type: ignore[arg-type]
        for b in src.bindings:
            assert b.id, f"{src.where}: {b.key} has no id"
            assert actions.setdefault(b.id, b.action) == b.action, f"id {b.id} used twice"
    mine = {b.id for cls in (BackfillsScreen, BackfillScreen) for b in cls.BINDINGS if hasattr(b, "id")}
    assert mine | {"app.backfills"} <= set(actions)
    app = make_app(partitioned)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        assert rows[0][0] == "backfills"  # this screen's keys first
        listed = {row[3]: row for row in rows}
        assert listed["backfills.cancel"][1] == "c" and listed["backfill.mark"][1] == "space"
