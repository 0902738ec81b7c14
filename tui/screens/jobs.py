"""Jobs screen: each job with its last run (status, when) and its op or asset graph; `l` launches,
`L` opens a run-config editor pre-filled from the job's Config classes and defaults and validated
by the engine before the launch."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dagdeck.core.console_api import AssetRow, DagdeckError, JobInfo, Run, status_style
from dagdeck.tui import clock
from dagdeck.tui.screens.base import BaseScreen, while_mounted
from dagdeck.tui.widgets.asset_graph import AssetGraph, ago
from dagdeck.tui.widgets.dialogs import ConfigEditor, ConfirmScreen
from dagdeck.tui.widgets.key_lists import KeyOptionList


def job_prompt(job: JobInfo, run: Run | None, now: float) -> Text:
    """Two short lines (the list is narrow at 80 columns): the job, then its last run's status and
    age, or `never run`; the graph beside it shows the steps."""
    text = Text(job.name, style="bold")
    text.append("\n  ")
    if run is None:
        text.append("never run", style="grey62")
    else:
        text.append(f"● {run.status}", style=status_style(run.status))
        text.append(f" {ago(run.created_at, now)}", style="grey70")
    return text


class JobsScreen(BaseScreen):
    BINDINGS = [
        Binding("l", "launch(False)", "Launch", id="jobs.launch"),
        Binding("L", "launch(True)", "Launch with config", id="jobs.launch_config"),
        Binding("tab", "app.focus_next", "Switch pane", show=False, id="jobs.switch"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[JobInfo] = []
        self.last_runs: dict[str, Run] = {}
        """Each job's newest run, refreshed when the store changes."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        with Horizontal(id="jobs-body"):
            yield KeyOptionList(id="jobs-list")
            yield AssetGraph(id="job-graph", show_status=False)
        yield from self.compose_chrome_bottom()

    def on_mount(self) -> None:
        self.query_one("#jobs-list", OptionList).focus()
        self.reload()

    def definitions_changed(self) -> None:
        self.reload()

    def data_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="jobs-load")
    def reload(self) -> None:
        jobs = self.api.jobs()
        last = self.api.last_runs([j.name for j in jobs])
        self.app.call_from_thread(self._apply, jobs, last)

    @while_mounted
    def _apply(self, jobs: list[JobInfo], last_runs: dict[str, Run] | None = None) -> None:
        last_runs = last_runs or {}
        now = clock.now()
        options = self.query_one("#jobs-list", OptionList)
        if jobs == self.jobs and options.option_count == len(jobs):
            self.last_runs = last_runs  # same jobs: new prompts; the cursor and the graph stay
            for j in jobs:
                options.replace_option_prompt(j.name, job_prompt(j, last_runs.get(j.name), now))
            return
        self.jobs, self.last_runs = jobs, last_runs
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(job_prompt(j, last_runs.get(j.name), now), id=j.name) for j in jobs])
        if jobs:
            options.highlighted = min(highlighted or 0, len(jobs) - 1)
            self._show(jobs[options.highlighted or 0])

    @property
    def current(self) -> JobInfo | None:
        index = self.query_one("#jobs-list", OptionList).highlighted
        return self.jobs[index] if index is not None and 0 <= index < len(self.jobs) else None

    @on(OptionList.OptionHighlighted, "#jobs-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        job = self.current
        if job:
            self._show(job)

    def _show(self, job: JobInfo) -> None:
        ups: dict[str, list[str]] = {s: [] for s in job.steps}
        downs: dict[str, list[str]] = {s: [] for s in job.steps}
        for u, d in job.edges:
            ups[d].append(u)
            downs[u].append(d)
        rows = [
            AssetRow(s, job.name, tuple(ups[s]), tuple(downs[s]), "never_materialized", False, None)
            for s in job.steps
        ]
        graph = self.query_one("#job-graph", AssetGraph)
        graph.set_rows(rows)
        graph.border_title = f"{job.name}: {job.description or job.kind + ' job'}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "launch" and self.app.readonly)  # type: ignore[attr-defined]

    def action_launch(self, with_config: bool) -> None:
        job = self.current
        if job is None:
            return
        if with_config:
            self._edit_config(job.name)
            return

        def answer(ok: bool | None) -> None:
            if ok:
                self.launch(job.name, None)

        self.app.push_screen(ConfirmScreen(f"Launch job {job.name}?", f"{len(job.steps)} steps"), answer)

    @work(thread=True, exclusive=True, group="jobs-config")
    def _edit_config(self, name: str) -> None:
        try:
            scaffold: dict[str, Any] = self.api.job_config_scaffold(name)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, f"job {name}: {err}", severity="warning")
            scaffold = {}
        self.app.call_from_thread(self._open_editor, name, scaffold)

    @while_mounted
    def _open_editor(self, name: str, scaffold: dict[str, Any]) -> None:
        def launch_with(config: dict | None) -> None:
            if config is not None:
                self.launch(name, config)

        def validate(config: dict[str, Any]) -> None:
            self.api.validate_job_config(name, config)

        self.app.push_screen(ConfigEditor(name, scaffold, validate), launch_with)

    @work(thread=True, group="launch")
    def launch(self, name: str, config: dict | None) -> None:
        try:
            run = self.api.launch_job(name, config)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.notify, f"run {run.run_id[:8]} {run.status}: job {name}")
