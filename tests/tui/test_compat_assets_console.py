"""The console with Dagster-style assets: multi-asset members each shown as an asset (one step for
all of them in a run), external assets marked external (no launch, no "never materialized")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import notes, plain, run_status, settle, wait_until

from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.widgets.dialogs import ConfirmScreen

MakeApp = Callable[..., DagdeckApp]
SIZE = (110, 30)

DEFS = """
import dagdeck as dg

partner_feed = dg.AssetSpec("partner_feed", group_name="lake", description="Dropped by a partner")


@dg.multi_asset(outs={"users": dg.AssetOut(), "orders": dg.AssetOut()}, group_name="lake")
def load_tables():
    yield dg.Output(["ann", "bob"], output_name="users", metadata={"rows": 2})
    yield dg.Output([10, 5, 7], output_name="orders", metadata={"rows": 3})


@dg.asset(group_name="lake", deps=[partner_feed, "legacy_table"])
def order_total(orders):
    return sum(orders)


defs = dg.Definitions(assets=[partner_feed, load_tables, order_total])
"""


def _screen(app: DagdeckApp) -> AssetsScreen:
    assert isinstance(app.screen, AssetsScreen), app.screen
    return app.screen


def _detail(screen: AssetsScreen) -> str:
    return plain(screen.query_one("#asset-detail-body").content)


def _line(screen: AssetsScreen, key: str) -> str:
    graph = screen.graph
    index = next(n for n, i in enumerate(graph.items) if i.row is not None and i.row.key == key)
    strip = graph._render_item(graph.items[index], False, False, 100)
    return "".join(seg.text for seg in strip).rstrip()


async def _select(pilot, screen: AssetsScreen, key: str) -> None:  # type: ignore[no-untyped-def]
    screen.select_asset(key)
    await settle(pilot)
    await wait_until(pilot, lambda: key in _detail(screen).splitlines()[0], what=f"the detail of {key}")


async def test_external_and_multi_asset_rows(make_app: MakeApp, defs_file: Callable[[str], Path]) -> None:
    app = make_app(defs_file(DEFS))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await wait_until(pilot, lambda: len(screen.graph.rows) == 5, what="the graph")
        rows = {r.key: r for r in screen.graph.rows}
        assert set(rows) == {"partner_feed", "legacy_table", "users", "orders", "order_total"}
        for key in ("partner_feed", "legacy_table"):
            assert rows[key].external and rows[key].status == "external"
            assert "◇" in _line(screen, key) and _line(screen, key).endswith("external")
        for key in ("users", "orders"):
            assert rows[key].multi_asset == "load_tables" and not rows[key].external
            assert rows[key].status == "never_materialized"
            assert "multi_asset load_tables" in _line(screen, key)
        assert rows["order_total"].upstream == ("legacy_table", "orders", "partner_feed")

        await _select(pilot, screen, "partner_feed")
        detail = _detail(screen)
        assert "external asset — made outside dagdeck" in detail and "Dropped by a partner" in detail
        assert "press m to materialize" not in detail

        await _select(pilot, screen, "users")
        assert "made by multi_asset load_tables" in _detail(screen)


async def test_external_is_not_launched_and_a_multi_asset_runs_as_one_step(
    make_app: MakeApp, instance: Instance, defs_file: Callable[[str], Path]
) -> None:
    app = make_app(defs_file(DEFS), poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await wait_until(pilot, lambda: len(screen.graph.rows) == 5, what="the graph")

        await _select(pilot, screen, "partner_feed")
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen  # no confirm dialog: nothing to launch
        assert any("external" in m for m, _ in notes(app))
        assert instance.store.list_runs() == []

        # one member of a multi-asset that cannot subset: the confirm lists both, one step runs
        await _select(pilot, screen, "users")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert sorted(app.screen.body.split()) == ["orders", "users"]
        await pilot.press("y")
        await settle(pilot)
        runs = await wait_until(pilot, instance.store.list_runs, what="a run")
        run = runs[0]
        assert sorted(run.plan["assets"]) == ["orders", "users"]
        await wait_until(
            pilot, lambda: run_status(instance, run.run_id) == "SUCCESS", timeout=30, what="SUCCESS"
        )
        await wait_until(
            pilot,
            lambda: (
                {r.key: r.status for r in screen.graph.rows if r.multi_asset}
                == {"users": "materialized", "orders": "materialized"}
            ),
            what="both members materialized",
        )
        await _select(pilot, screen, "orders")
        await wait_until(pilot, lambda: "rows" in _detail(screen), what="the metadata of orders")
        assert run.run_id[:8] in _detail(screen)  # its recent runs come from its materializations

        app.open_run(run.run_id)
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, RunScreen) and app.screen.query("#steps-table"),
            what="the run screen",
        )
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        await wait_until(pilot, lambda: run_screen.table.row_count == 1, what="the one step")
        assert [str(c) for c in run_screen.table.get_row("load_tables")][:2] == ["load_tables", "succeeded"]
