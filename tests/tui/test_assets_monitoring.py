"""Assets screen as a monitoring tool (issue 15, points 6, 7, 13): a dropped transient value shows
as dropped and `m` below it offers to include it; staleness shows through the whole graph with its
root cause and `S` takes the whole stale closure; metadata sparklines and their history."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_helpers import BASE, plain, run_status, settle, wait_until

import dagdeck as dg
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.store import Run
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.widgets.asset_graph import AssetGraph
from dagdeck.tui.widgets.materialize_confirm import MaterializeConfirm

MakeApp = Callable[..., DagdeckApp]
WriteDefs = Callable[..., Path]
SIZE = (120, 36)

TRANSIENT_DEFS = """
    import dagdeck as dg


    @dg.asset(transient=True)
    def raw_orders():
        return [1, 2, 3]


    @dg.asset
    def orders(raw_orders):
        return len(raw_orders)


    @dg.asset
    def customer_counts(orders):
        return {"rows": orders}


    defs = dg.Definitions(assets=[raw_orders, orders, customer_counts])
"""


def _materialize(file: Path, project: Path, instance: Instance, selection: str | list[str] = "*") -> None:
    defs = load(CodeLocation(file=str(file), working_dir=str(project))).defs
    assert dg.materialize(defs, selection=selection, instance=instance).success


async def _ready(pilot, key: str) -> AssetsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AssetsScreen)
    await wait_until(pilot, lambda: screen.graph.rows, what="the graph")
    assert screen.graph.select_key(key)
    await wait_until(
        pilot, lambda: screen.query_one("#asset-detail").shown_key == key, what=f"{key}'s detail"
    )
    return screen


def _line(graph: AssetGraph, key: str) -> str:
    item = next(i for i in graph.items if i.row is not None and i.row.key == key)
    return graph._render_item(item, False, False, 200).text


def _detail(screen: AssetsScreen) -> str:
    return plain(screen.query_one("#asset-detail-body").content)


async def test_a_dropped_transient_value_is_shown_and_m_offers_to_include_it(
    make_app: MakeApp, defs_file: WriteDefs, project: Path, instance: Instance
) -> None:
    file = defs_file(TRANSIENT_DEFS)
    _materialize(file, project, instance)  # the run succeeds: raw_orders' value is removed
    app = make_app(file, poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, "raw_orders")
        line = _line(screen.graph, "raw_orders")
        assert "◌" in line and "●" not in line and "value dropped after the run" in line
        assert "transient: value dropped after the run" in _detail(screen)
        assert "●" in _line(screen.graph, "orders")  # a kept value is still a green dot

        screen.graph.select_key("orders")
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MaterializeConfirm), what="the confirm dialog")
        dialog = app.screen
        assert isinstance(dialog, MaterializeConfirm)
        assert dialog.missing == {"orders": {"raw_orders": "transient: value dropped after the run"}}
        warning = plain(dialog.query_one("#confirm-warning").content)
        assert "orders reads raw_orders" in warning and "MissingInput" in warning
        assert "u: include them (+orders)   y: run as is" in plain(dialog.query_one(".hint").content)
        await pilot.press("u")
        runs = await wait_until(pilot, instance.store.list_runs, what="a run")
        latest = max(runs, key=lambda r: r.created_at)
        assert latest.plan["assets"] == ["raw_orders", "orders"]
        await wait_until(
            pilot, lambda: run_status(instance, latest.run_id) == "SUCCESS", timeout=60, what="SUCCESS"
        )


async def test_m_without_a_gap_asks_plainly(
    make_app: MakeApp, defs_file: WriteDefs, project: Path, instance: Instance
) -> None:
    file = defs_file(TRANSIENT_DEFS)
    _materialize(file, project, instance)
    app = make_app(file)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, "customer_counts")
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MaterializeConfirm), what="the confirm dialog")
        assert app.screen.missing == {} and not app.screen.query("#confirm-warning")
        await pilot.press("n")
        await settle(pilot)


CHAIN_DEFS = """
    import dagdeck as dg


    @dg.asset
    def raw_orders():
        return [1, 2, 3]


    @dg.asset
    def orders(raw_orders):
        return len(raw_orders)


    @dg.asset
    def customers():
        return 4


    @dg.asset
    def customer_counts(orders, customers):
        return orders + customers


    defs = dg.Definitions(assets=[raw_orders, orders, customers, customer_counts])
"""


async def test_staleness_shows_through_the_graph_and_S_takes_the_closure(
    make_app: MakeApp, defs_file: WriteDefs, project: Path, instance: Instance
) -> None:
    file = defs_file(CHAIN_DEFS)
    _materialize(file, project, instance)
    _materialize(file, project, instance, "raw_orders")  # orders is stale, and customer_counts below it
    app = make_app(file)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, "customer_counts")
        assert "stale ·" in _line(screen.graph, "customer_counts")
        assert "◍" in _line(screen.graph, "customer_counts")
        assert "stale ·" not in _line(screen.graph, "customers")
        detail = _detail(screen)
        assert "stale: upstream orders is stale (root cause orders: upstream raw_orders is newer)" in detail
        await pilot.press("S")
        await wait_until(pilot, lambda: app.screen is not screen, what="the confirm dialog")
        assert app.screen.title_text == "Materialize 2 stale or missing asset(s)?"
        assert app.screen.body.split() == ["orders", "customer_counts"]
        await pilot.press("n")
        await settle(pilot)


METADATA_DEFS = """
    import dagdeck as dg


    @dg.asset
    def orders(context):
        n = context.run.tags.get("n", "0")
        return dg.MaterializeResult(metadata={"rows": int(n), "note": f"batch {n}"})


    defs = dg.Definitions(assets=[orders])
"""


async def test_sparklines_carry_their_range_and_h_opens_an_entry_history(
    make_app: MakeApp, defs_file: WriteDefs, project: Path, instance: Instance
) -> None:
    from dagdeck.tui.screens.metadata_history import MetadataHistoryScreen

    file = defs_file(METADATA_DEFS)
    defs = load(CodeLocation(file=str(file), working_dir=str(project))).defs
    for n in (3, 12, 7):
        assert dg.materialize(defs, instance=instance, tags={"n": str(n)}).success
    app = make_app(file)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, "orders")
        detail = _detail(screen)
        assert "▁█▄ 3–12 last 7" in detail, detail  # the bars, their range and the last value
        assert "tab, then h: an entry's history" in detail

        await pilot.press("tab")  # into the pane: the first entry is under the cursor
        pane = screen.query_one("#asset-detail")
        assert pane.has_focus and pane.selected == "rows"
        await pilot.press("j", "k", "h")
        await wait_until(pilot, lambda: isinstance(app.screen, MetadataHistoryScreen), what="the history")
        history = app.screen
        assert isinstance(history, MetadataHistoryScreen) and history.entry == "rows"
        table = history.query_one("#history-table")
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[2] for row in cells] == ["7", "12", "3"]  # newest first
        runs = sorted(instance.store.list_runs(), key=lambda r: r.created_at, reverse=True)
        assert [row[1] for row in cells] == [r.run_id[:8] for r in runs]
        assert plain(history.query_one("#history-summary").content) == "min 3   max 12   last 7"
        plot = plain(history.query_one("#history-plot").content)
        assert "┤" in plot and "12" in plot  # a plot with its value axis

        await pilot.press("tab")  # the next entry: text, so a table and no plot
        assert history.entry == "note"
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == [
            "batch 7",
            "batch 12",
            "batch 3",
        ]
        assert not history.query_one("#history-plot").display
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the assets screen")


def test_assets_show_json_carries_each_entry_history(
    cli: Callable[..., Any], defs_file: WriteDefs, project: Path, instance: Instance, home: Path
) -> None:
    file = defs_file(METADATA_DEFS)
    defs = load(CodeLocation(file=str(file), working_dir=str(project))).defs
    for n in (3, 12, 7):
        assert dg.materialize(defs, instance=instance, tags={"n": str(n)}).success
    proc = cli("assets", "show", "orders", "--json", home=home, file=file)
    assert proc.returncode == 0, proc.stderr
    history = json.loads(proc.stdout)["metadata_history"]
    assert [v["value"] for v in history["rows"]["values"]] == [3, 12, 7]  # oldest first
    assert history["rows"]["summary"] == {"min": 3, "max": 12, "last": 7}
    assert [v["value"] for v in history["note"]["values"]] == ["batch 3", "batch 12", "batch 7"]
    assert history["note"]["summary"] is None
    runs = sorted(instance.store.list_runs(), key=lambda r: r.created_at)
    assert [v["run_id"] for v in history["rows"]["values"]] == [r.run_id for r in runs]
    assert all(v["timestamp"].startswith("20") for v in history["rows"]["values"])
    shown = cli("assets", "show", "orders", home=home, file=file).stdout
    assert "rows: 7   (3–12 over 3 materializations)" in shown


# -- snapshots: a seeded store with fixed timestamps and run ids ------------------------------------------
SNAP_DEFS = """
    import dagdeck as dg


    @dg.asset(group_name="ingest", transient=True)
    def raw_orders():
        return [1, 2, 3]


    @dg.asset(group_name="ingest")
    def orders(raw_orders):
        return raw_orders


    @dg.asset(group_name="crm")
    def customers():
        return 4


    @dg.asset(group_name="analytics")
    def customer_counts(orders, customers):
        return len(orders) + customers


    @dg.asset(group_name="warehouse")
    def warehouse_orders(orders):
        return orders


    @dg.asset(group_name="analytics")
    def sales_report(customer_counts, warehouse_orders):
        return customer_counts


    defs = dg.Definitions(assets=[raw_orders, orders, customers, customer_counts, warehouse_orders, sales_report])
"""
SNAP_SIZES = pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
Snap = Callable[..., bool]


def _seed(instance: Instance, file: Path, project: Path) -> None:
    """Three runs: everything (raw_orders' value dropped after it), then orders twice, so the
    assets below orders are stale; orders' `rows` went 3, 12, 7."""
    location = CodeLocation(file=str(file), working_dir=str(project)).to_dict()
    plan = [
        ("raw_orders", "customers", "orders", "customer_counts", "warehouse_orders", "sales_report"),
        ("orders",),
        ("orders",),
    ]
    for n, (keys, rows) in enumerate(zip(plan, (3, 12, 7), strict=True)):
        run_id = f"{n + 1}" * 8 + "a" * 24
        t0 = n * 600.0
        events = [make_event(EventType.RUN_START, run_id, timestamp=BASE + t0, message="run started")]
        for i, key in enumerate(keys):
            meta = {
                "rows": {"type": "int", "value": rows},
                "note": {"type": "text", "value": f"batch {rows}"},
            }
            events.append(
                make_event(
                    EventType.ASSET_MATERIALIZATION,
                    run_id,
                    timestamp=BASE + t0 + 1 + i,
                    step_key=key,
                    asset_key=key,
                    message="materialized",
                    metadata=meta if key == "orders" else {},
                )
            )
        if "raw_orders" in keys:
            events.append(
                make_event(
                    EventType.ENGINE_EVENT,
                    run_id,
                    timestamp=BASE + t0 + 30,
                    step_key="raw_orders",
                    asset_key="raw_orders",
                    message="removed transient value",
                    transient_removed=True,
                )
            )
        events.append(
            make_event(EventType.RUN_SUCCESS, run_id, timestamp=BASE + t0 + 31, message="run succeeded")
        )
        run = Run(
            run_id=run_id,
            job_name="__ASSET_JOB",
            status="SUCCESS",
            trigger="console",
            created_at=BASE + t0,
            started_at=BASE + t0,
            ended_at=BASE + t0 + 31,
            plan={"steps": list(keys), "assets": list(keys)},
            location=location,
        )
        instance.store.add_run(run, events)


def _on(key: str, *keys: str, until: Callable[[Any], bool] | None = None) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await _ready(pilot, key)
        for k in keys:
            await pilot.press(k)
            await settle(pilot)
        if until is not None:
            await wait_until(pilot, lambda: until(pilot.app), what="the screen")
        await wait_until(
            pilot,
            lambda: screen.query_one("#asset-detail").shown_key == screen.graph.current_key,
            what="the details",
        )
        await settle(pilot)

    return run_before


@SNAP_SIZES
def test_snapshot_graph_with_dropped_value_and_stale_closure(
    snap_compare: Snap,
    make_app: MakeApp,
    defs_file: WriteDefs,
    project: Path,
    instance: Instance,
    size: tuple[int, int],
) -> None:
    file = defs_file(SNAP_DEFS)
    _seed(instance, file, project)
    assert snap_compare(make_app(file), terminal_size=size, run_before=_on("orders"))


@SNAP_SIZES
def test_snapshot_confirm_warns_of_a_missing_input(
    snap_compare: Snap,
    make_app: MakeApp,
    defs_file: WriteDefs,
    project: Path,
    instance: Instance,
    size: tuple[int, int],
) -> None:
    file = defs_file(SNAP_DEFS)
    _seed(instance, file, project)
    until = lambda app: isinstance(app.screen, MaterializeConfirm)  # noqa: E731
    assert snap_compare(make_app(file), terminal_size=size, run_before=_on("orders", "m", until=until))


@SNAP_SIZES
def test_snapshot_metadata_history(
    snap_compare: Snap,
    make_app: MakeApp,
    defs_file: WriteDefs,
    project: Path,
    instance: Instance,
    size: tuple[int, int],
) -> None:
    from dagdeck.tui.screens.metadata_history import MetadataHistoryScreen

    file = defs_file(SNAP_DEFS)
    _seed(instance, file, project)
    until = lambda app: isinstance(app.screen, MetadataHistoryScreen)  # noqa: E731
    assert snap_compare(make_app(file), terminal_size=size, run_before=_on("orders", "tab", "h", until=until))
