"""What the `:` line runs: `:runs`, `:asset KEY`, `:job NAME`, `:run ID`, `:q`...; a part of the app."""

from __future__ import annotations

from textual.widgets import OptionList

from dagdeck.core.console_api import (
    ConsoleAPI,
    did_you_mean,
)
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.screens.runs import RunsScreen


class CommandLineActions:
    """The app's `:` commands (a mixin of `DagdeckApp`: `self` is the app)."""

    api: ConsoleAPI

    def run_command_text(self, text: str) -> None:
        """`:runs`, `:assets group:shop`, `:run ID`, `:asset KEY`, `:job NAME`, `:jobs`,
        `:automation`, `:backfills`, `:help`, `:reload`, `:q`."""
        verb, _, arg = text.strip().partition(" ")
        verb, arg = verb.lower(), arg.strip()
        if verb in ("q", "quit"):
            self._check_quit()
        elif verb in ("runs", "assets", "jobs", "automation", "backfills"):
            self.switch_mode(verb)
            if verb == "assets" and arg:
                self.call_after_refresh(lambda: self._filter_assets(arg))
            elif verb == "runs" and arg:
                self.call_after_refresh(lambda: self._filter_runs(arg))
        elif verb == "run" and arg:
            self.open_run(arg)
        elif verb == "asset" and arg:
            self.open_asset(arg)
        elif verb == "job" and arg:
            self.switch_mode("jobs")
            self.call_after_refresh(lambda: self._select_job(arg))
        elif verb in ("run", "asset", "job"):
            self.notify(f":{verb} needs a name: :{verb} NAME (tab completes it)", severity="warning")
        elif verb == "help":
            self.action_help()
        elif verb in ("reload",):
            self.reload_definitions()
        elif verb:
            self.notify(f"unknown command :{verb}", severity="warning")

    def _filter_assets(self, text: str) -> None:
        screen = self.screen
        if isinstance(screen, AssetsScreen):
            screen.apply_filter(text)

    def _select_job(self, name: str, tries: int = 50) -> None:
        """Highlight job `name` once the jobs screen has its list (it loads in a worker)."""
        screen = self.screen
        if not isinstance(screen, JobsScreen):
            return
        names = [j.name for j in screen.jobs]
        if not names and tries > 0:
            self.set_timer(0.1, lambda: self._select_job(name, tries - 1))
        elif name in names:
            screen.query_one("#jobs-list", OptionList).highlighted = names.index(name)
        else:
            self.notify(
                f"no job {name}; {did_you_mean(name, names) or 'tab completes job names'}", severity="warning"
            )

    def _filter_runs(self, text: str) -> None:
        screen = self.screen
        if isinstance(screen, RunsScreen):
            screen.filter_text = text
            screen.reload()
