"""`dagdeck schedules ...`, `dagdeck sensors ...` and `dagdeck daemon`.

Kept apart from the run commands so automation can grow on its own; `register(app)` attaches them.
"""

from __future__ import annotations

import json
import logging
import math
import signal
import threading
import time
from types import FrameType
from typing import Any

import typer
from rich.text import Text

from dagdeck.core.automation.sensor_ticks import Evaluation
from dagdeck.core.cli.context import CliContext, cli_context
from dagdeck.core.cli.output import console, err_console, line, padded, print_json, status_text
from dagdeck.core.statuses import StepStatus, status_style
from dagdeck.core.timefmt import iso
from dagdeck.core.views.automation import (
    AutomationRow,
    Kind,
    evaluate_sensor_now,
    list_automation,
    reset_cursor,
    set_running,
)

JSON_HELP = "Print one JSON document."
schedules_app = typer.Typer(help="Schedules: list, start, stop.", no_args_is_help=True)
sensors_app = typer.Typer(help="Sensors: list, start, stop, tick, reset-cursor.", no_args_is_help=True)


def _switch_text(status: str, width: int = 0) -> Text:
    """An instigator's on/off switch (RUNNING or STOPPED), in the console's colours."""
    return padded(status, status_style(status), width)


def _print_rows(rows: list[AutomationRow], as_json: bool) -> None:
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        console.print("none defined")
        return
    for r in rows:
        t = r.last_tick
        last = line(status_text(t.status), f" {iso(t.timestamp)}") if t else Text("no ticks", style="dim")
        if r.kind == "schedule":
            what = f"{r.cron_schedule} {r.execution_timezone}"
            nxt = f"next {iso(r.next_tick)}" if r.next_tick else "next -"
        else:
            what = f"{r.sensor_kind} {r.target or ''} every {r.minimum_interval_seconds:g}s".replace("  ", " ")
            nxt = ""
        console.print(
            line(
                (f"{r.name:<24}", "bold"),
                " ",
                _switch_text(r.status, 8),
                f"   {r.job_name or '-':<20} {what:<32} {nxt:<36} last ",
                last,
            )
        )


def _list(ctx: typer.Context, kind: Kind, as_json: bool) -> None:
    state = cli_context(ctx)
    _print_rows(list_automation(state.loaded().defs, state.instance().store, kind), as_json)


def _switch(ctx: typer.Context, kind: Kind, name: str, running: bool, as_json: bool) -> None:
    state = cli_context(ctx)
    switched = set_running(state.loaded().defs, state.instance().store, name, running, kind)
    if as_json:
        print_json({"name": switched.name, "kind": kind, "status": switched.status})
    else:
        console.print(line(f"{kind} {switched.name}: ", _switch_text(switched.status)))


@schedules_app.command("list")
def schedules_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Schedules with on/off, next tick and last tick."""
    _list(ctx, "schedule", as_json)


@schedules_app.command("start")
def schedules_start(
    ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    """Switch a schedule on (it never fires ticks from before now)."""
    _switch(ctx, "schedule", name, True, as_json)


@schedules_app.command("stop")
def schedules_stop(
    ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    """Switch a schedule off."""
    _switch(ctx, "schedule", name, False, as_json)


@sensors_app.command("list")
def sensors_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Sensors with on/off and last tick."""
    _list(ctx, "sensor", as_json)


@sensors_app.command("start")
def sensors_start(
    ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    """Switch a sensor on."""
    _switch(ctx, "sensor", name, True, as_json)


@sensors_app.command("stop")
def sensors_stop(
    ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    """Switch a sensor off."""
    _switch(ctx, "sensor", name, False, as_json)


@sensors_app.command("reset-cursor")
def sensors_reset_cursor(
    ctx: typer.Context, name: str, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    """Forget a sensor's cursor (run keys already used still never launch again)."""
    state = cli_context(ctx)
    cleared = reset_cursor(state.loaded().defs, state.instance().store, name)
    if as_json:
        print_json({"name": cleared.name, "kind": "sensor", "cursor": cleared.cursor})
    else:
        console.print(line(f"sensor {cleared.name}: cursor cleared"))


def _seconds(value: float) -> float:
    """A duration option: positive and finite (0, negative or nan made the daemon spin), else exit 2."""
    if not math.isfinite(value) or value <= 0:
        raise typer.BadParameter(f"{value} is not a number of seconds above 0; give e.g. 0.5")
    return value


@sensors_app.command("tick")
def sensors_tick(
    ctx: typer.Context,
    name: str,
    launch: bool = typer.Option(False, "--launch", help="Record the tick and launch its runs."),
    timeout: float = typer.Option(60.0, "--timeout", help="Evaluation timeout in seconds.", callback=_seconds),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Evaluate a sensor once now and print what it would launch (launch only with --launch)."""
    from dagdeck.core.running.launcher import Launcher

    state = cli_context(ctx)
    instance = state.instance()
    launcher = Launcher(instance) if launch else None
    preview = evaluate_sensor_now(instance, state.loaded(), name, launcher=launcher, launch=launch, timeout=timeout)
    if launcher is not None and preview.run_ids:
        launcher.drain()
    if as_json:
        print_json(preview.to_json())
    else:
        _print_tick(name, preview.evaluation, preview.requests, launch)
        if preview.tick is not None:
            console.print(line("tick ", status_text(preview.tick.status), f"; runs: {' '.join(preview.run_ids) or '-'}"))
    if preview.evaluation.error:
        raise typer.Exit(1)


def _print_tick(name: str, ev: Evaluation, requests: list[dict[str, Any]], launch: bool) -> None:
    """What one sensor evaluation asked for, as `sensors tick` prints it without --json."""
    if ev.error:
        err_console.print(line((f"sensor {name} failed:", status_style(StepStatus.FAILED)), "\n", ev.error.rstrip()))
    for r in requests:
        key = f" run_key={r['run_key']}" if r.get("run_key") else ""
        problem = (f" ({r['error']})", status_style(StepStatus.FAILED)) if r.get("error") else ""
        console.print(line(f"{'launch' if launch else 'would launch'} {r['job']}{key}", problem))
        if r.get("run_config"):
            console.print(line(f"  run config: {json.dumps(r['run_config'])}"))
    if not requests and not ev.error:
        console.print(line(f"skipped: {ev.skip_reason or 'no run requests'}"))
    if ev.cursor_updated:
        console.print(line(f"cursor -> {ev.cursor}" + ("" if launch else " (not saved without --launch)")))


def daemon_command(
    ctx: typer.Context,
    interval: float = typer.Option(
        0.5, "--interval", help="Seconds between passes (events wake it sooner).", callback=_seconds
    ),
) -> None:
    """Run schedules, sensors and the run queue headless until SIGTERM or ctrl+c."""
    _run_daemon(cli_context(ctx), interval)


def _run_daemon(state: CliContext, interval: float) -> None:
    from dagdeck.core.automation.daemon import Daemon

    loaded, instance = state.loaded(), state.instance()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    daemon = Daemon(instance, loaded, interval=interval, reload_definitions=True)
    daemon.launcher.prestart()  # the first run a schedule or sensor launches need not wait for it
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        daemon.wake()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    err_console.print(line(f"dagdeck daemon {daemon.owner_id} on {instance.home} ({loaded.defs.describe()})"))
    try:
        daemon.run_forever(stop)
    finally:
        daemon.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    err_console.print(line(f"dagdeck daemon {daemon.owner_id} stopped at {iso(time.time())}"))


def register(app: typer.Typer) -> None:
    """Attach `schedules ...`, `sensors ...` and `daemon` to the main app."""
    app.add_typer(schedules_app, name="schedules")
    app.add_typer(sensors_app, name="sensors")
    app.command("daemon")(daemon_command)
