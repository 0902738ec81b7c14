"""Console test helpers: UTC local time and a frozen clock value
UTC local time (so snapshots never show wall times), a store seeded with fixed-timestamp runs, and
helpers that wait on the store or on widget state with a timeout instead of sleeping blindly."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.store import Run

# Local time is UTC for every test in this folder (times in tables and logs use time.localtime).
os.environ["TZ"] = "UTC"
time.tzset()
# Definitions files are rewritten within one second by the reload tests: never trust a .pyc.
sys.dont_write_bytecode = True

BASE = 1_700_000_000.0
"""2023-11-14 22:13:20 UTC: every seeded timestamp is relative to this."""
FROZEN_NOW = BASE + 3600.0
RUN_OK = "0a0a0a0a" + "1" * 24
RUN_FAIL = "0f0f0f0f" + "2" * 24
NEVER = 3600.0 * 24
"""A poll interval long enough that polling never happens during a test."""

SHOP_DEFS = '''
    import dagdeck as dg


    @dg.asset(group_name="shop", description="Raw orders.", kinds=["csv"])
    def orders():
        print("hello from orders")
        return [1, 2, 3]


    @dg.asset(group_name="shop")
    def revenue(orders):
        return sum(orders)


    @dg.asset(group_name="ops")
    def report(revenue):
        return str(revenue)


    shop_job = dg.define_asset_job("shop_job", selection="group:shop", description="The shop assets.")
    defs = dg.Definitions(assets=[orders, revenue, report], jobs=[shop_job])
'''


def write_settings(home: Path, **values: Any) -> None:
    lines = [f"{k} = {v!r}" for k, v in values.items()]
    (home / "dagdeck.toml").write_text("\n".join(lines) + "\n")


# -- seeded store content with fixed timestamps and run ids -------------------------------------------
def _ev(kind: EventType, run_id: str, t: float, **kw: Any) -> dict[str, Any]:
    return make_event(kind, run_id, timestamp=BASE + t, **kw)


def seed_runs(instance: Instance, file: Path, project: Path) -> None:
    """One successful run of orders and revenue, and one failed run of report, an hour ago."""
    location = CodeLocation(file=str(file), working_dir=str(project)).to_dict()
    ok = Run(
        run_id=RUN_OK,
        job_name="__ASSET_JOB",
        status="SUCCESS",
        trigger="console",
        created_at=BASE,
        started_at=BASE + 1,
        ended_at=BASE + 4,
        plan={"steps": ["orders", "revenue"], "assets": ["orders", "revenue"]},
        location=location,
        tags={"dagdeck/selection": "orders,revenue"},
    )
    ok_events = [
        _ev(EventType.RUN_ENQUEUED, RUN_OK, 0, message="queued by console"),
        _ev(EventType.RUN_STARTING, RUN_OK, 0.5, message="starting worker"),
        _ev(EventType.RUN_START, RUN_OK, 1, message="run started"),
        _ev(EventType.STEP_START, RUN_OK, 1.1, step_key="orders", asset_key="orders", message="started", attempt=1),
        _ev(EventType.LOG, RUN_OK, 1.2, step_key="orders", message="reading the csv", level="INFO"),
        _ev(EventType.LOG, RUN_OK, 1.3, step_key="orders", message="3 rows", level="DEBUG"),
        _ev(
            EventType.ASSET_MATERIALIZATION,
            RUN_OK,
            1.5,
            step_key="orders",
            asset_key="orders",
            message="materialized",
            metadata={"rows": {"type": "int", "value": 3}, "path": {"type": "path", "value": "/data/orders.csv"}},
        ),
        _ev(EventType.STEP_SUCCESS, RUN_OK, 1.6, step_key="orders", asset_key="orders", message="succeeded"),
        _ev(EventType.STEP_START, RUN_OK, 2, step_key="revenue", asset_key="revenue", message="started", attempt=1),
        _ev(EventType.LOG, RUN_OK, 2.5, step_key="revenue", message="revenue may be low", level="WARNING"),
        _ev(
            EventType.ASSET_MATERIALIZATION,
            RUN_OK,
            3,
            step_key="revenue",
            asset_key="revenue",
            message="materialized",
            metadata={"total": {"type": "float", "value": 6.0}},
        ),
        _ev(EventType.STEP_SUCCESS, RUN_OK, 3.2, step_key="revenue", asset_key="revenue", message="succeeded"),
        _ev(EventType.RUN_SUCCESS, RUN_OK, 4, message="run succeeded"),
    ]
    instance.store.add_run(ok, ok_events)
    fail = Run(
        run_id=RUN_FAIL,
        job_name="__ASSET_JOB",
        status="FAILURE",
        trigger="cli",
        created_at=BASE + 60,
        started_at=BASE + 61,
        ended_at=BASE + 63,
        plan={"steps": ["report"], "assets": ["report"]},
        location=location,
        failure_reason="1 step(s) failed: report",
    )
    fail_events = [
        _ev(EventType.RUN_ENQUEUED, RUN_FAIL, 60, message="queued by cli"),
        _ev(EventType.RUN_START, RUN_FAIL, 61, message="run started"),
        _ev(EventType.STEP_START, RUN_FAIL, 61.5, step_key="report", asset_key="report", message="started", attempt=1),
        _ev(
            EventType.STEP_FAILURE,
            RUN_FAIL,
            62.5,
            step_key="report",
            asset_key="report",
            message="ValueError: no revenue",
            level="ERROR",
            error="ValueError: no revenue",
            traceback='Traceback (most recent call last):\n  File "defs.py", line 18, in report\nValueError: no revenue',
        ),
        _ev(EventType.RUN_FAILURE, RUN_FAIL, 63, message="1 step(s) failed: report", level="ERROR"),
    ]
    instance.store.add_run(fail, fail_events)
    logs = instance.run_logs_dir(RUN_OK)
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "orders.stdout").write_text("hello from orders\n")
    (logs / "orders.stderr").write_text("")


# -- waiting ------------------------------------------------------------------------------------------
async def settle(pilot: Pilot[Any]) -> None:
    """Let pending messages and thread workers (store reads) finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition"
) -> Any:
    """Poll ``predicate`` until it is true; ``timeout`` only stops a hang (never what a test checks)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.05)


def run_status(instance: Instance, run_id: str) -> str | None:
    run = instance.store.get_run(run_id)
    return run.status if run else None




# -- reading widget state -----------------------------------------------------------------------------
def plain(renderable: Any, width: int = 120) -> str:
    """The text of a Static's content (str, rich Text or any rich renderable)."""
    if isinstance(renderable, str):
        return renderable
    if hasattr(renderable, "plain"):
        return str(renderable.plain)
    from io import StringIO

    from rich.console import Console

    console = Console(file=StringIO(), width=width, color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def notes(app: Any) -> list[tuple[str, str]]:
    """(message, severity) of the app's current notifications."""
    return [(str(n.message), str(n.severity)) for n in app._notifications]
