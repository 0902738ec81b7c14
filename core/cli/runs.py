"""`dagdeck runs list|show|cancel|reexecute|logs`: the run history and what can be done to a run."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from dagdeck.core.cli.context import CliContext, cli_context
from dagdeck.core.cli.launch import find_run, print_detached, wait_and_report
from dagdeck.core.cli.output import console, err_console, line, print_json, print_run_summary, status_text
from dagdeck.core.cli.progress import ProgressMode, RunProgress, progress_mode
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.running.step_logs import step_log_path
from dagdeck.core.statuses import FINISHED, RunStatus
from dagdeck.core.timefmt import iso, short_duration
from dagdeck.core.views.runs import run_summary_json, run_view

JSON_HELP = "Print one JSON document."
runs_app = typer.Typer(help="Run history: list, show, cancel, re-execute, logs.", no_args_is_help=True)


@runs_app.command("list")
def runs_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="Comma-separated statuses."),
    job: str | None = typer.Option(None, "--job", help="Only runs of this job."),
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many runs."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    partition: str | None = typer.Option(None, "--partition", help="Only runs of this partition key."),
    tag: list[str] = typer.Option([], "--tag", help="Only runs with this tag: KEY=VALUE (repeatable)."),
) -> None:
    """Run history, newest first."""
    instance = cli_context(ctx).instance()
    Launcher(instance).watch()
    statuses = [s.strip().upper() for s in status.split(",")] if status else None
    if statuses:
        bad = [s for s in statuses if s not in RunStatus.__members__]
        if bad:
            raise DagdeckError(f"unknown status {bad[0]!r}; statuses: {', '.join(RunStatus.__members__)}")
    tags = dict(_tag_filter(t) for t in tag)
    if partition is not None:
        tags["dagster/partition"] = partition
    runs = instance.store.list_runs(statuses=statuses, job=job, limit=limit, tags=tags or None)
    if as_json:
        print_json([run_summary_json(r) for r in runs])
        return
    for r in runs:
        dur = (r.ended_at or time.time()) - r.started_at if r.started_at else None
        console.print(
            line(
                f"{r.run_id[:8]}  ",
                status_text(r.status, 10),
                f" {r.job_name:<24} {r.trigger:<16} {iso(r.created_at)}  {short_duration(dur)}",
            )
        )


def _tag_filter(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise DagdeckError(f"--tag {text!r} is not KEY=VALUE (e.g. dagster/partition=2024-01-01)")
    return key, value


@runs_app.command("show")
def runs_show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id or a unique prefix."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One run: steps with status and duration, materializations with metadata."""
    state = cli_context(ctx)
    instance = state.instance()
    view = run_view(instance.store, Launcher(instance).fresh(find_run(state, run_id)))
    if as_json:
        print_json(view.to_json())
    else:
        print_run_summary(view)


@runs_app.command("cancel")
def runs_cancel(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id or a unique prefix."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Cancel a queued or running run."""
    state = cli_context(ctx)
    run = find_run(state, run_id)
    status = Launcher(state.instance()).cancel(run.run_id)
    canceled = status is not None
    if status is None:
        status = find_run(state, run.run_id).status  # it had finished already
    if as_json:
        print_json({"run_id": run.run_id, "status": status, "canceled": canceled})
        return
    console.print(line(f"run {run.run_id[:8]} ", "" if canceled else "already ", status_text(status)))


@runs_app.command("reexecute")
def runs_reexecute(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id or a unique prefix."),
    from_failure: bool = typer.Option(False, "--from-failure", help="Only failed, canceled and skipped steps."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    detach: bool = typer.Option(False, "--detach", help="Return at once and print the run id."),
) -> None:
    """Re-execute a run: all steps, or from failure."""
    state = cli_context(ctx)
    parent = find_run(state, run_id)
    launcher = Launcher(state.instance())
    try:
        run = launcher.reexecute(parent, from_failure)
    except ValueError as err:
        raise DagdeckError(str(err)) from None
    if detach:
        print_detached(run, as_json)
        return
    wait_and_report(state, launcher, run, as_json)


@runs_app.command("logs")
def runs_logs(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id or a unique prefix."),
    step: str | None = typer.Option(None, "--step", help="Only this step."),
    follow: bool = typer.Option(False, "--follow", "-F", help="Keep printing until the run ends."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document (after the run ends with -F)."),
) -> None:
    """Print captured stdout/stderr of a run's steps; with --follow in a terminal, the run's progress
    stays below the lines as they come."""
    state = cli_context(ctx)
    run = find_run(state, run_id)
    steps = list((run.plan or {}).get("steps") or [])
    if step is not None and steps and step not in steps:
        known = did_you_mean(step, steps) or f"its steps: {', '.join(steps)}"
        raise DagdeckError(f"run {run.run_id[:8]} has no step {step!r}; {known}")
    tail = _LogTail(state, run.run_id, step)
    lines: list[dict[str, str]] = []
    printed = 0

    def pump() -> None:
        nonlocal printed
        for label, text in tail.read():
            printed += 1
            if as_json:
                lines.append({"file": label, "line": text})
            else:
                sys.stdout.write(f"{label}: {text}\n")
        sys.stdout.flush()

    pump()
    launcher = Launcher(state.instance())
    mode = progress_mode(as_json) if follow else ProgressMode.NONE
    with RunProgress(state.instance().store, run, mode, steps_lines=False) as progress:
        while follow:
            current = launcher.fresh(run)  # a dead worker ends the run, and so the follow
            time.sleep(0.3)
            pump()
            if mode != ProgressMode.NONE:
                progress.update(current)
            if current.status in FINISHED:
                break
    if as_json:
        print_json({"run_id": run.run_id, "step": step, "lines": lines})
    elif printed == 0:  # say so rather than print nothing: the steps may simply have written nothing
        which = f"step {step}" if step else "its steps"
        err_console.print(f"run {run.run_id[:8]}: no stdout/stderr captured from {which}", markup=False)


class _LogTail:
    """Reads what the step log files gained since the last call, so `--follow` prints each line once."""

    def __init__(self, state: CliContext, run_id: str, step: str | None) -> None:
        self.logs_dir = state.instance().run_logs_dir(run_id)
        self.step = step
        self.offsets: dict[Path, int] = {}

    def files(self) -> list[Path]:
        if self.step:
            return [step_log_path(self.logs_dir, self.step, s) for s in ("stdout", "stderr")]
        return sorted(self.logs_dir.glob("*.std*")) if self.logs_dir.exists() else []

    def read(self) -> list[tuple[str, str]]:
        """New (file name, line) pairs in file order."""
        out: list[tuple[str, str]] = []
        for path in self.files():
            if not path.exists():
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                f.seek(self.offsets.get(path, 0))
                data = f.read()
                self.offsets[path] = f.tell()
            out.extend((path.name, text) for text in data.splitlines())
        return out


def register(app: typer.Typer) -> None:
    """Attach `runs ...` to the main app."""
    app.add_typer(runs_app, name="runs")
