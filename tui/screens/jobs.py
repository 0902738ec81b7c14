"""Jobs screen: each job with its op or asset graph; `l` launches (with a config editor)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dagdeck.core.console_api import AssetRow, DagdeckError, JobInfo
from dagdeck.tui.screens.base import BaseScreen, while_mounted
from dagdeck.tui.widgets.asset_graph import AssetGraph
from dagdeck.tui.widgets.dialogs import ConfigEditor, ConfirmScreen


class JobsScreen(BaseScreen):
    BINDINGS = [
        Binding("l", "launch(False)", "Launch", id="jobs.launch"),
        Binding("L", "launch(True)", "Launch with config", id="jobs.launch_config"),
        Binding("tab", "focus_next", "Switch pane", show=False, id="jobs.switch"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[JobInfo] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome_top()
        with Horizontal(id="jobs-body"):
            yield OptionList(id="jobs-list")
            yield AssetGraph(id="job-graph", show_status=False)
        yield from self.compose_chrome_bottom()

    def on_mount(self) -> None:
        self.query_one("#jobs-list", OptionList).focus()
        self.reload()

    def definitions_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="jobs-load")
    def reload(self) -> None:
        jobs = self.api.jobs()
        self.app.call_from_thread(self._apply, jobs)

    @while_mounted
    def _apply(self, jobs: list[JobInfo]) -> None:
        self.jobs = jobs
        options = self.query_one("#jobs-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            [Option(f"{j.name}  [dim]{j.kind}, {len(j.steps)} steps[/]", id=j.name) for j in jobs]
        )
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
            def launch_with(config: dict | None) -> None:
                if config is not None:
                    self.launch(job.name, config)

            self.app.push_screen(ConfigEditor(job.name, {}, lambda c: self.api.validate_job_config(job.name, c)), launch_with)
            return

        def answer(ok: bool | None) -> None:
            if ok:
                self.launch(job.name, None)

        self.app.push_screen(ConfirmScreen(f"Launch job {job.name}?", f"{len(job.steps)} steps"), answer)

    @work(thread=True, group="launch")
    def launch(self, name: str, config: dict | None) -> None:
        try:
            run = self.api.launch_job(name, config)
        except DagdeckError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.notify, f"run {run.run_id[:8]} {run.status}: job {name}")
