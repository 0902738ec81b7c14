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
from dagdeck.core.cli.progress import ProgressMode, progress_mode, wait_with_progress
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.launcher import Launcher, LaunchSpec
from dagdeck.core.running.plan import ExecutionPlan
from dagdeck.core.running.run_config import CONFIG_FORM, config_shape_problem, step_configs
from dagdeck.core.statuses import RunStatus
from dagdeck.core.views.runs import run_summary_json, run_view
from dagdeck.store import Run

"""The shape of run config, for the fix part of a --config error."""


def parse_config(config: str | None) -> dict[str, Any]:
    """`--config`: a JSON object, inline or `@file`, shaped as run config; anything else is a usage
    error (exit 2) naming what is wrong, before a run is created."""
    if not config:
        return {}
    text = _read_config_file(config[1:]) if config.startswith("@") else config
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DagdeckError(f"--config is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise DagdeckError(f"--config must be a JSON object like {CONFIG_FORM}")
    problem = config_shape_problem(data)
    if problem:
        raise DagdeckError(f"--config: {problem}; run config looks like {CONFIG_FORM}")
    return data


def _read_config_file(name: str) -> str:
    """The text of `--config @FILE`; a file that cannot be read is one line naming it and why."""
    path = Path(name).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        reason = "no such file"
    except IsADirectoryError:
        reason = "is a directory"
    except PermissionError:
        reason = "permission denied"
    except UnicodeDecodeError:
        reason = "is not UTF-8 text"
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
    raise DagdeckError(f"--config @{name}: {reason}; give @PATH of a JSON file, or the JSON itself")


def print_detached(run: Run, as_json: bool) -> None:
    """What `--detach` prints: the new run's id, or its summary document."""
    if as_json:
        print_json(run_summary_json(run))
    else:
        console.print(run.run_id, markup=False)


EXIT_QUEUED = 3
"""Exit code of a waiting command whose run stays queued because the queue is paused: the run did
not fail (so not 1) and nothing was materialized yet (so not 0, which `materialize && next` reads as
done). The run keeps its place and starts once the queue is resumed."""


def launch_and_report(
    state: CliContext, spec: LaunchSpec, plan: ExecutionPlan, as_json: bool, detach: bool
) -> None:
    """Validate the run config, start the run, and unless detached wait and report it."""
    step_configs(plan, spec.run_config)  # validate before anything starts
    launcher = Launcher(state.instance())
    run = launcher.submit(spec)
    if detach:
        print_detached(run, as_json)
        if _held_by_pause(state, run):
            _say_paused(state, run)
        return
    wait_and_report(state, launcher, run, as_json)


def wait_and_report(state: CliContext, launcher: Launcher, run: Run, as_json: bool) -> None:
    """Wait for the run, showing its progress (core/cli/progress.py); ctrl+c stops waiting (exit 1)
    but never the run, which has its own process.

    With the queue paused (`max_concurrent_runs = 0`, Dagster's meaning) the run would wait without
    end: print its id as `--detach` does, say so on stderr, and exit EXIT_QUEUED instead."""
    if _held_by_pause(state, run):
        print_detached(run, as_json)
        _say_paused(state, run)
        raise typer.Exit(EXIT_QUEUED)
    mode = progress_mode(as_json)
    try:
        if mode == ProgressMode.NONE:
            done = launcher.wait(run.run_id)
        else:
            done = wait_with_progress(state.instance().store, launcher, run, mode)
    except KeyboardInterrupt:
        err_console.print(
            f"stopped waiting; run {run.run_id} goes on (cancel: dagdeck runs cancel {run.run_id[:8]})", markup=False
        )
        raise typer.Exit(1) from None
    report(state, done, as_json)


def _held_by_pause(state: CliContext, run: Run) -> bool:
    """Whether `run` is queued and this instance's settings hold every run in the queue."""
    return run.status == RunStatus.QUEUED and state.instance().settings.max_concurrent_runs == 0


def _say_paused(state: CliContext, run: Run) -> None:
    """The one stderr line for a run held by the paused queue: why, and how to resume or cancel."""
    settings_file = state.instance().home / "dagdeck.toml"
    err_console.print(
        f"run {run.run_id} is queued, but the queue is paused (max_concurrent_runs = 0); to start it, set "
        f"max_concurrent_runs above 0 in {settings_file} or [tool.dagdeck] (the daemon, the console or "
        f"`dagdeck runs list` then starts it); to drop it: dagdeck runs cancel {run.run_id[:8]}",
        markup=False,
    )


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
