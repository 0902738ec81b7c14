"""What the commands that start or inspect runs share: run config parsing, launching, waiting,
reporting with the right exit code, and finding a run by id prefix.

Kept apart from the command modules so `jobs`, `runs` and `assets` (checks) use one copy without
importing each other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from dagdeck.core.cli.context import CliContext
from dagdeck.core.cli.output import console, err_console, print_json, print_run_summary
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.launcher import Launcher, LaunchSpec
from dagdeck.core.running.plan import ExecutionPlan, step_configs
from dagdeck.core.statuses import RunStatus
from dagdeck.core.views.runs import run_summary_json, run_view
from dagdeck.store import Run


def parse_config(config: str | None) -> dict[str, Any]:
    """`--config`: a JSON object, inline or `@file`; anything else is a usage error (exit 2)."""
    if not config:
        return {}
    text = Path(config[1:]).read_text() if config.startswith("@") else config
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DagdeckError(f"--config is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise DagdeckError("--config must be a JSON object like {\"ops\": {\"step\": {\"config\": {...}}}}")
    return data


def print_detached(run: Run, as_json: bool) -> None:
    """What `--detach` prints: the new run's id, or its summary document."""
    if as_json:
        print_json(run_summary_json(run))
    else:
        console.print(run.run_id, markup=False)


def launch_and_report(
    state: CliContext, spec: LaunchSpec, plan: ExecutionPlan, as_json: bool, detach: bool
) -> None:
    """Validate the run config, start the run, and unless detached wait and report it."""
    step_configs(plan, spec.run_config)  # validate before anything starts
    launcher = Launcher(state.instance())
    run = launcher.submit(spec)
    if detach:
        print_detached(run, as_json)
        return
    wait_and_report(state, launcher, run, as_json)


def wait_and_report(state: CliContext, launcher: Launcher, run: Run, as_json: bool) -> None:
    """Wait for the run; ctrl+c stops waiting (exit 1) but never the run, which has its own process."""
    try:
        done = launcher.wait(run.run_id)
    except KeyboardInterrupt:
        err_console.print(
            f"stopped waiting; run {run.run_id} goes on (cancel: dagdeck runs cancel {run.run_id[:8]})", markup=False
        )
        raise typer.Exit(1) from None
    report(state, done, as_json)


def report(state: CliContext, run: Run, as_json: bool) -> None:
    """Print a finished run; exit 1 unless it succeeded, so scripts can tell."""
    view = run_view(state.instance().store, run)
    if as_json:
        print_json(view.to_json())
    else:
        print_run_summary(view)
    if run.status != RunStatus.SUCCESS:
        raise typer.Exit(1)


def find_run(state: CliContext, run_id: str) -> Run:
    """A run by id or unique id prefix; an unknown id is a usage error (exit 2)."""
    run = state.instance().store.find_run(run_id)
    if run is None:
        raise DagdeckError(f"no run {run_id!r}; see `dagdeck runs list`")
    return run
