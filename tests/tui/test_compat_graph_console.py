"""The console with Dagster-style graphs: a run of a job with a dynamic output lists each mapped
step `op[key]` with its own Gantt bar, and a graph-backed asset's run lists its ops `graph.op`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import run_status, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.run import RunScreen

MakeApp = Callable[..., DagdeckApp]
SIZE = (120, 30)

DEFS = """
import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def regions():
    for region in ["eu", "us", "apac"]:
        yield dg.DynamicOutput(region, mapping_key=region)


@dg.op
def revenue(region: str) -> int:
    return len(region)


@dg.op
def total(values: list) -> int:
    return sum(values)


@dg.job
def regional_revenue():
    total(regions().map(revenue).collect())


@dg.op
def fetch() -> list:
    return [3, 1, 2]


@dg.op
def order(numbers: list) -> list:
    return sorted(numbers)


@dg.graph_asset
def sorted_numbers():
    return order(fetch())


defs = dg.Definitions(jobs=[regional_revenue], assets=[sorted_numbers])
"""


async def _run_screen(pilot, run_id: str, steps: int) -> RunScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_run(run_id)
    await wait_until(
        pilot,
        lambda: isinstance(pilot.app.screen, RunScreen) and pilot.app.screen.query("#steps-table"),
        what="the run screen",
    )
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    await wait_until(pilot, lambda: screen.table.row_count == steps, what=f"{steps} steps")
    return screen


def _row(screen: RunScreen, key: str) -> list[str]:
    return [str(c) for c in screen.table.get_row(key)]


async def test_mapped_steps_and_graph_asset_ops_in_the_run_screen(
    make_app: MakeApp, instance: Instance, defs_file: Callable[[str], Path]
) -> None:
    app = make_app(defs_file(DEFS), poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run = app.api.launch_job("regional_revenue")
        await wait_until(
            pilot, lambda: run_status(instance, run.run_id) == "SUCCESS", timeout=30, what="the job's SUCCESS"
        )
        screen = await _run_screen(pilot, run.run_id, 5)
        for key in ("regions", "revenue[eu]", "revenue[us]", "revenue[apac]", "total"):
            row = _row(screen, key)
            assert row[:3] == [key, "succeeded", "1"], row
            assert row[4].strip(), f"no Gantt bar for {key}"
        # what the user sees: `[eu]` is part of the step key, not Rich markup that vanishes
        table = screen.table

        def shown() -> str:
            return "\n".join("".join(seg.text for seg in table.render_line(y)) for y in range(table.row_count + 1))

        keys = ("revenue[eu]", "revenue[us]", "revenue[apac]")
        # the table draws its rows on the next refresh: wait for it rather than read a half-drawn one
        await wait_until(pilot, lambda: all(key in shown() for key in keys), what="the mapped step keys drawn")
        await pilot.press("q")
        await settle(pilot)

        asset_run = app.api.materialize(["sorted_numbers"])
        await wait_until(
            pilot,
            lambda: run_status(instance, asset_run.run_id) == "SUCCESS",
            timeout=30,
            what="the asset's SUCCESS",
        )
        screen = await _run_screen(pilot, asset_run.run_id, 2)
        assert _row(screen, "sorted_numbers.fetch")[:2] == ["sorted_numbers.fetch", "succeeded"]
        assert _row(screen, "sorted_numbers.order")[:2] == ["sorted_numbers.order", "succeeded"]
