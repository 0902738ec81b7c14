"""Progress of a run while the CLI waits on it (`materialize`, `job run`, `runs logs --follow`).

In a terminal: Rich's live display (steps done/total, each running step with its elapsed time)
with failures printed above it as they happen. Plain one-line messages on stderr when stdout is not
a terminal or NO_COLOR is set, and nothing at all with `--json`, whose stdout is one document.
"""

from __future__ import annotations

import enum
import os
import time
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from dagdeck.core.cli.output import console, err_console, line, status_text
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.statuses import FINISHED, StepStatus
from dagdeck.core.timefmt import short_duration
from dagdeck.core.views.runs import StepView, fold_steps
from dagdeck.store import Run, Store

DONE = (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELED)
RUNNING = (StepStatus.RUNNING, StepStatus.UP_FOR_RETRY)
SHOWN_RUNNING = 8
"""Running steps listed under the bar; more are counted on one line."""


class ProgressMode(enum.StrEnum):
    LIVE = "live"
    PLAIN = "plain"
    NONE = "none"


def progress_mode(as_json: bool, out: Console = console) -> ProgressMode:
    """LIVE in a colour terminal, PLAIN when piped, redirected or NO_COLOR, NONE with --json."""
    if as_json:
        return ProgressMode.NONE
    if os.environ.get("NO_COLOR") or not out.is_terminal or out.is_dumb_terminal:
        return ProgressMode.PLAIN
    return ProgressMode.LIVE


class RunProgress:
    """Folds a run's step events as they arrive and shows them; use as a context manager and call
    `update()` after each look at the run. `steps_lines`: in PLAIN mode also say when steps start
    and succeed (not only when they fail)."""

    def __init__(self, store: Store, run: Run, mode: ProgressMode, steps_lines: bool = True) -> None:
        self.store, self.run, self.mode, self.steps_lines = store, run, mode, steps_lines
        self.steps: dict[str, StepView] = {}
        self.cursor = 0
        self._said: dict[str, StepStatus] = {}
        self._live: Live | None = None
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("steps"),
            TimeElapsedColumn(),
            console=console,
        )
        job = "(assets)" if run.job_name == "__ASSET_JOB" else run.job_name
        self._task = self._bar.add_task(f"run {run.run_id[:8]} {job}", total=None)

    def __enter__(self) -> RunProgress:
        if self.mode == ProgressMode.LIVE:
            self._live = Live(
                console=console, transient=True, refresh_per_second=4, get_renderable=self._render
            )
            self._live.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def update(self, run: Run) -> None:
        """Read the events since the last call and report what changed."""
        self.run = run
        while True:
            events = self.store.get_events(run_id=run.run_id, after_id=self.cursor, limit=2000)
            if not events:
                break
            self.cursor = events[-1].id
            self.steps = fold_steps(run, events, self.steps or None)
            if len(events) < 2000:
                break
        if not self.steps:
            self.steps = fold_steps(run, [], None)
        for step in self.steps.values():
            self._report(step)
        done = sum(s.status in DONE for s in self.steps.values())
        self._bar.update(self._task, total=len(self.steps) or None, completed=done)
        if self._live is not None:
            self._live.refresh()

    def _report(self, step: StepView) -> None:
        """Say a step's new status once: a failure always, starts and successes in PLAIN mode."""
        if self._said.get(step.key) == step.status:
            return
        self._said[step.key] = step.status
        if step.status == StepStatus.FAILED:
            message = line(
                status_text(StepStatus.FAILED), f" {step.key}: ", Text(step.error or "no error recorded")
            )
        elif self.mode != ProgressMode.PLAIN or not self.steps_lines:
            return
        elif step.status == StepStatus.RUNNING:
            message = line(f"{self._count()} started {step.key}")
        elif step.status == StepStatus.SUCCEEDED:
            message = line(f"{self._count()} succeeded {step.key} in {short_duration(step.duration_s)}")
        else:
            return
        if self._live is not None:
            self._live.console.print(message)
        elif self.mode != ProgressMode.NONE:
            err_console.print(message)

    def _count(self) -> str:
        done = sum(s.status in DONE for s in self.steps.values())
        return f"[{done}/{len(self.steps)}]"

    def _render(self) -> RenderableType:
        """The live display: the bar, then the running steps with their elapsed time."""
        now = time.time()
        running = [s for s in self.steps.values() if s.status in RUNNING and s.started_at is not None]
        rows: list[RenderableType] = [self._bar.get_renderable()]
        for s in running[:SHOWN_RUNNING]:
            elapsed = short_duration(max(0.0, now - (s.started_at or now)))
            rows.append(line("  ", (f"{s.status} ", "cyan"), Text(s.key), (f"  {elapsed}", "grey62")))
        if len(running) > SHOWN_RUNNING:
            rows.append(Text(f"  … and {len(running) - SHOWN_RUNNING} more running", style="grey62"))
        return Group(*rows)


def wait_with_progress(store: Store, launcher: Launcher, run: Run, mode: ProgressMode) -> Run:
    """`Launcher.wait`, showing the run's progress meanwhile; returns the finished run."""
    with RunProgress(store, run, mode) as progress:
        while True:
            run = launcher.wait(run.run_id, timeout=0.4)
            progress.update(run)
            if run.status in FINISHED:
                return run
