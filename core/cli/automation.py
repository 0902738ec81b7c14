"""`dagdeck schedules ...`, `dagdeck sensors ...` and `dagdeck daemon` (DESIGN section 6).

Kept out of core/cli.py so the automation commands can grow without touching the engine CLI;
`register_automation(app)` attaches them."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

import typer

from dagdeck.core.cli.output import console, err_console, print_json, styled
from dagdeck.core.timefmt import iso
from dagdeck.core.views.automation import (
    AutomationRow,
    Kind,
    evaluate_sensor_now,
    list_automation,
    reset_cursor,
    set_running,
)

schedules_app = typer.Typer(help="Schedules: list, start, stop.", no_args_is_help=True)
sensors_app = typer.Typer(help="Sensors: list, start, stop, tick, reset-cursor.", no_args_is_help=True)


_G: Any = None
"""The CLI's `G` globals (-f/-m/--home), taken from the app we are registered on: under
`python -m core.cli` that module is `__main__`, and importing `core.cli` would give a second,
empty `G`."""


def _g() -> Any:
    if _G is None:
        from dagdeck.core.cli.app import G

        return G
    return _G


def _print_rows(rows: list[AutomationRow], as_json: bool) -> None:
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        console.print("none defined")
        return
    for r in rows:
        t = r.last_tick
        last = f"{styled(t.status)} {iso(t.timestamp)}" if t else "[dim]no ticks[/]"
        if r.kind == "schedule":
            what = f"{r.cron_schedule} {r.execution_timezone}"
            nxt = f"next {iso(r.next_tick)}" if r.next_tick else "next -"
        else:
            what = f"{r.sensor_kind} {r.target or ''} every {r.minimum_interval_seconds:g}s".replace("  ", " ")
            nxt = ""
        status = "[green]RUNNING[/]" if r.status == "RUNNING" else "[dim]STOPPED[/]"
        console.print(f"[bold]{r.name:<24}[/] {status:<18} {r.job_name or '-':<20} {what:<32} {nxt:<36} last {last}")


def _list(kind: Kind, as_json: bool) -> None:
    g = _g()
    _print_rows(list_automation(g.loaded().defs, g.instance().store, kind), as_json)


def _switch(kind: Kind, name: str, running: bool) -> None:
    g = _g()
    state = set_running(g.loaded().defs, g.instance().store, name, running, kind)
    console.print(f"{kind} {name}: {state.status}")


@schedules_app.command("list")
def schedules_list(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Schedules with on/off, next tick and last tick."""
    _list("schedule", as_json)


@schedules_app.command("start")
def schedules_start(name: str) -> None:
    """Switch a schedule on (it never fires ticks from before now)."""
    _switch("schedule", name, True)


@schedules_app.command("stop")
def schedules_stop(name: str) -> None:
    """Switch a schedule off."""
    _switch("schedule", name, False)


@sensors_app.command("list")
def sensors_list(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Sensors with on/off and last tick."""
    _list("sensor", as_json)


@sensors_app.command("start")
def sensors_start(name: str) -> None:
    """Switch a sensor on."""
    _switch("sensor", name, True)


@sensors_app.command("stop")
def sensors_stop(name: str) -> None:
    """Switch a sensor off."""
    _switch("sensor", name, False)


@sensors_app.command("reset-cursor")
def sensors_reset_cursor(name: str) -> None:
    """Forget a sensor's cursor (run keys already used still never launch again)."""
    g = _g()
    reset_cursor(g.loaded().defs, g.instance().store, name)
    console.print(f"sensor {name}: cursor cleared")


@sensors_app.command("tick")
def sensors_tick(
    name: str,
    launch: bool = typer.Option(False, "--launch", help="Record the tick and launch its runs."),
    timeout: float = typer.Option(60.0, "--timeout", help="Evaluation timeout in seconds."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Evaluate a sensor once now and print what it would launch (launch only with --launch)."""
    from dagdeck.core.running.launcher import Launcher

    g = _g()
    instance = g.instance()
    launcher = Launcher(instance) if launch else None
    preview = evaluate_sensor_now(instance.store, g.loaded(), name, launcher=launcher, launch=launch, timeout=timeout)
    if launcher is not None and preview.run_ids:
        launcher.drain()
    if as_json:
        print_json(preview.to_json())
    else:
        ev = preview.evaluation
        if ev.error:
            err_console.print(f"[red]sensor {name} failed:[/]\n{ev.error.rstrip()}")
        for r in preview.requests:
            key = f" run_key={r['run_key']}" if r.get("run_key") else ""
            problem = f" [red]({r['error']})[/]" if r.get("error") else ""
            console.print(f"{'launch' if launch else 'would launch'} {r['job']}{key}{problem}")
            if r.get("run_config"):
                console.print(f"  run config: {json.dumps(r['run_config'])}")
        if not preview.requests and not ev.error:
            console.print(f"skipped: {ev.skip_reason or 'no run requests'}")
        if ev.cursor_updated:
            console.print(f"cursor -> {ev.cursor}" + ("" if launch else " (not saved without --launch)"))
        if preview.tick is not None:
            console.print(f"tick {styled(preview.tick.status)}; runs: {' '.join(preview.run_ids) or '-'}")
    if preview.evaluation.error:
        raise typer.Exit(1)


def daemon_command(
    interval: float = typer.Option(0.5, "--interval", help="Seconds between passes (events wake it sooner)."),
) -> None:
    """Run schedules, sensors and the run queue headless until SIGTERM or ctrl+c."""
    from dagdeck.core.automation.daemon import Daemon

    g = _g()
    loaded, instance = g.loaded(), g.instance()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    daemon = Daemon(instance, loaded, interval=interval, reload_definitions=True)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        daemon.wake()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    err_console.print(f"dagdeck daemon {daemon.owner_id} on {instance.home} ({loaded.defs.describe()})")
    try:
        daemon.run_forever(stop)
    finally:
        daemon.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    err_console.print(f"dagdeck daemon {daemon.owner_id} stopped at {iso(time.time())}")


def register_automation(app: typer.Typer) -> None:
    global _G
    callback = app.registered_callback.callback if app.registered_callback else None
    _G = getattr(callback, "__globals__", {}).get("G")
    app.add_typer(schedules_app, name="schedules")
    app.add_typer(sensors_app, name="sensors")
    app.command("daemon")(daemon_command)
