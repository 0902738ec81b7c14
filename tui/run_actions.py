"""Opening, canceling and re-executing runs from any screen: store reads in workers, dialogs on the
UI thread; a part of the app."""

from __future__ import annotations

from textual import work

from dagdeck.core.console_api import (
    ConsoleAPI,
    DagdeckError,
    Run,
    RunStatus,
    RunView,
    StepStatus,
    job_label,
    short_duration,
)
from dagdeck.tui import clock
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.widgets.dialogs import CancelingScreen, ConfirmScreen


class RunActions:
    """The app's run actions (a mixin of `DagdeckApp`: `self` is the app)."""

    api: ConsoleAPI

    def open_run(self, run_id: str) -> None:
        """Open a run by id or prefix; the store is read in a worker, never on the UI thread."""
        self._find_run(run_id)

    @work(thread=True, exclusive=True, group="open-run")
    def _find_run(self, run_id: str) -> None:
        try:
            run = self.api.get_run(run_id)
        except Exception as err:  # noqa: BLE001 - a lost store is a message, not a crash
            self.call_from_thread(self.notify, f"cannot read run {run_id}: {err}", severity="error")
            return
        self.call_from_thread(self._show_run, run_id, run)

    def _show_run(self, wanted: str, run: Run | None) -> None:
        if run is None:
            self.notify(f"no run {wanted}", severity="warning")
            return
        if self.current_mode != "runs":
            self.switch_mode("runs")
        self.push_screen(RunScreen(run.run_id))

    def open_asset(self, key: str) -> None:
        self.switch_mode("assets")
        screen = self.screen
        if isinstance(screen, AssetsScreen):
            screen.select_asset(key)

    # -- actions shared by screens -------------------------------------------------------------
    def confirm_cancel(self, run_id: str) -> None:
        """Ask before canceling; the run is read in a worker, then the dialog opens."""
        if self.readonly:
            return
        self._read_for_cancel(run_id)

    @work(thread=True, exclusive=True, group="cancel-read")
    def _read_for_cancel(self, run_id: str) -> None:
        try:
            view = self.api.run_view(run_id)
            canceling_at = (
                self.api.canceling_since(run_id) if view and view.run.status == RunStatus.CANCELING else None
            )
            grace = self.api.cancel_grace_seconds
        except Exception as err:  # noqa: BLE001 - a lost store is a message, not a crash
            self.call_from_thread(self.notify, f"cannot read run {run_id}: {err}", severity="error")
            return
        if view is not None:
            self.call_from_thread(self._ask_cancel, view, canceling_at, grace)

    def _ask_cancel(self, view: RunView, canceling_at: float | None, grace: float) -> None:
        run = view.run
        if run.status == RunStatus.CANCELING:
            self.push_screen(CancelingScreen(run.run_id, canceling_at or clock.now(), grace))
            return
        if run.status not in (RunStatus.QUEUED, RunStatus.STARTING, RunStatus.STARTED):
            self.notify(f"run {run.run_id[:8]} is {run.status}; nothing to cancel", severity="warning")
            return
        running = [s.key for s in view.steps if s.status == StepStatus.RUNNING]
        body = (
            f"run {run.run_id}\njob {job_label(run.job_name)}, {run.status}\n{len(running)} step(s) running"
        )
        if running:
            body += ": " + ", ".join(running[:8])
        body += f"\nsteps get {short_duration(grace)} to stop, then they are killed"

        def answer(ok: bool | None) -> None:
            if ok:
                self._cancel(run.run_id)

        self.push_screen(ConfirmScreen(f"Cancel run {run.run_id[:8]}?", body), answer)

    @work(thread=True, group="cancel")
    def _cancel(self, run_id: str) -> None:
        status = self.api.cancel(run_id)
        self.call_from_thread(self.notify, f"run {run_id[:8]}: {status or 'already finished'}")

    def reexecute(self, run_id: str, from_failure: bool) -> None:
        if self.readonly:
            return
        what = "failed and skipped steps" if from_failure else "all steps"

        def answer(ok: bool | None) -> None:
            if ok:
                self._reexecute(run_id, from_failure)

        self.push_screen(ConfirmScreen(f"Re-execute {what} of run {run_id[:8]}?", f"run {run_id}"), answer)

    @work(thread=True, group="reexecute")
    def _reexecute(self, run_id: str, from_failure: bool) -> None:
        try:
            run = self.api.reexecute(run_id, from_failure)
        except DagdeckError as err:
            self.call_from_thread(self.notify, str(err), severity="error")
            return
        self.call_from_thread(self._open_new_run, run.run_id)

    def _open_new_run(self, run_id: str) -> None:
        self.notify(f"started run {run_id[:8]}")
        if isinstance(self.screen, RunScreen):
            self.pop_screen()
        self.open_run(run_id)
