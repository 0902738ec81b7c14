"""The dagdeck console: screens, polling, code reload. Kept small; each screen has its module."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from dagdeck.core.console_api import (
    CodeLocation,
    ConsoleAPI,
    Instance,
    RunChange,
    RunChangeKind,
    RunCounts,
)
from dagdeck.tui import clock
from dagdeck.tui.command_actions import CommandLineActions
from dagdeck.tui.file_watch import DefinitionsWatcher
from dagdeck.tui.key_help import help_heading, help_rows, palette_commands
from dagdeck.tui.key_help import sources as binding_sources
from dagdeck.tui.keymap import read_keymap
from dagdeck.tui.run_actions import RunActions
from dagdeck.tui.run_toasts import run_toasts
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.screens.automation import AutomationScreen
from dagdeck.tui.screens.backfills import BackfillsScreen
from dagdeck.tui.screens.base import BaseScreen
from dagdeck.tui.screens.jobs import JobsScreen
from dagdeck.tui.screens.run import RunScreen
from dagdeck.tui.screens.runs import RunsScreen
from dagdeck.tui.widgets.dialogs import ConfirmScreen, HelpScreen
from dagdeck.tui.widgets.status_bar import HeaderInfo, header_text

POLL_SECONDS = 0.5
WATCH_SECONDS = 2.0
MODE_KEYS = {"1": "assets", "2": "runs", "3": "jobs", "4": "automation", "5": "backfills"}


class DagdeckApp(CommandLineActions, RunActions, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "dagdeck"
    ENABLE_COMMAND_PALETTE = True
    MODES = {
        "assets": AssetsScreen,
        "runs": RunsScreen,
        "jobs": JobsScreen,
        "automation": AutomationScreen,
        "backfills": BackfillsScreen,
    }
    BINDINGS = [
        Binding("1", "mode('assets')", "Assets", id="app.assets"),
        Binding("2", "mode('runs')", "Runs", id="app.runs"),
        Binding("3", "mode('jobs')", "Jobs", id="app.jobs"),
        Binding("4", "mode('automation')", "Automation", id="app.automation"),
        Binding("5", "mode('backfills')", "Backfills", id="app.backfills"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "back", "Back", show=False, id="app.back"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    status_text: reactive[Text] = reactive(Text(""))
    header_info: reactive[HeaderInfo | None] = reactive(None)
    load_error_text: reactive[str] = reactive("")

    def __init__(
        self,
        api: ConsoleAPI,
        readonly: bool = False,
        watch_files: bool = True,
        daemon: object | None = None,
        poll_seconds: float = POLL_SECONDS,
        run_daemon: bool = False,
    ) -> None:
        super().__init__()
        self.api = api
        self.readonly = readonly
        self.daemon = daemon
        self._watch_files = watch_files
        self._watcher: DefinitionsWatcher | None = None
        self._last_event_id = -1
        self._active_runs = 0
        self._polling = False
        self._last_watch = 0.0
        self._poll_seconds = poll_seconds
        self._daemon_state = "off"
        self._run_counts = RunCounts(0, 0, 0)
        self._quit_asked = False
        self._run_daemon = run_daemon
        self._gc_paused = False
        self._store_problem: str | None = None
        self._toasted: set[tuple[str, RunChangeKind]] = set()

    # -- lifecycle -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Start-up allocates a few hundred thousand long-lived objects (Textual, the definitions, the
        # first asset rows): collecting them again and again cost ~0.2 s of a 5,000-asset first paint.
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True
        keymap = read_keymap(self.api.instance.home, self.binding_ids())
        if keymap.bindings:
            self.set_keymap(keymap.bindings)
        for problem in keymap.problems:
            self.notify(problem, severity="error", timeout=15)
        self.switch_mode("assets")
        if self.api.loaded is None and self.api.load_error is None:
            self._first_load()  # paint first: a big definitions file takes a moment to import
        else:
            self._after_load()
            self._start_daemon()
        self.set_interval(self._poll_seconds, self.poll)
        self.set_timer(10.0, self.startup_complete)  # whatever happens, collect again after a while
        self.set_interval(1.0, self._tick_clock)
        self._tick_clock()

    @work(thread=True, exclusive=True, group="reload")
    def _first_load(self) -> None:
        self.api.reload()
        self.call_from_thread(self._first_loaded)

    def _first_loaded(self) -> None:
        if self.api.loaded is None:
            self.startup_complete()
        self._after_load()
        self._start_daemon()
        for screen in self._all_screens():
            screen.definitions_changed()

    def _start_daemon(self) -> None:
        """Schedules and sensors fire from a thread of the console (not in readonly mode)."""
        if not self._run_daemon or self.readonly or self.api.loaded is None or self.api.daemon is not None:
            return
        self.daemon = self.api.start_daemon()

    def startup_complete(self) -> None:
        """The first screen is filled: freeze what start-up built (it lives as long as the app,
        so later collections need not walk it) and collect normally from now on."""
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()
            gc.enable()
            if not self.readonly:
                self._prepare_launches()

    @work(thread=True, exclusive=True, group="prepare-launches")
    def _prepare_launches(self) -> None:
        self.api.prepare_launches()

    def on_unmount(self) -> None:
        self.startup_complete()
        if self._watcher is not None:
            self._watcher.stop()
        stop = getattr(self.daemon, "stop", None)
        if callable(stop):
            stop()

    def _after_load(self) -> None:
        err = self.api.load_error
        self.load_error_text = str(err) if err else ""
        if err is not None:
            self.notify(str(err), title="definitions did not load", severity="error", timeout=8)
        if self._watch_files:
            if self._watcher is None:
                self._watcher = DefinitionsWatcher(lambda: self.call_from_thread(self.reload_definitions))
            self._watcher.watch(self.api.watched_files)

    @work(thread=True, exclusive=True, group="reload")
    def reload_definitions(self) -> None:
        err = self.api.reload()
        self.call_from_thread(self._reloaded, err is None)

    def _reloaded(self, ok: bool) -> None:
        self._after_load()
        if ok:
            self._start_daemon()
        if ok:
            self.notify("definitions reloaded", timeout=2)
        for screen in self._all_screens():
            screen.definitions_changed()

    def _all_screens(self) -> Iterable[BaseScreen]:
        seen = set()
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, BaseScreen) and id(screen) not in seen:
                    seen.add(id(screen))
                    yield screen

    # -- polling -------------------------------------------------------------------------------
    def poll(self) -> None:
        if self._polling or isinstance(self.screen, ConfirmScreen | HelpScreen):
            return
        self._polling = True
        self._poll()

    @work(thread=True, group="poll")
    def _poll(self) -> None:
        try:
            now = time.monotonic()
            if now - self._last_watch > WATCH_SECONDS and not self.readonly:
                self._last_watch = now
                self.api.watch()
            last = self.api.last_event_id()
            seen = self._last_event_id
            changes = self.api.run_changes(seen) if 0 <= seen < last else []
            counts = self.api.run_counts(clock.now())
            active = counts.running
            self._run_counts = counts
            self._daemon_state = self.api.daemon_label()
            self._store_problem = self.api.store_problem
            self.call_from_thread(self._polled, last, active)
            if changes:
                self.call_from_thread(self._toast_run_changes, changes)
        except Exception as err:  # noqa: BLE001 - a lost or locked store must not crash the console
            self._store_problem = str(err)
            self.call_from_thread(self._tick_clock)
        finally:
            self._polling = False

    def _polled(self, last: int, active: int) -> None:
        changed = last != self._last_event_id or active != self._active_runs
        self._last_event_id, self._active_runs = last, active
        self._tick_clock()
        if changed and isinstance(self.screen, BaseScreen) and not isinstance(self.screen, RunScreen):
            self.screen.data_changed()

    def _toast_run_changes(self, changes: list[RunChange]) -> None:
        """Say when something else (a schedule, a sensor, another console, the CLI) started or
        canceled a run, and when any run failed; each run and kind once."""
        for toast in run_toasts(changes, self.api.own_runs, self._toasted):
            self.notify(toast.message, title=toast.title, severity=toast.severity, timeout=toast.timeout)

    def daemon_label(self) -> str:
        return f"daemon: {self._daemon_state}"

    def _tick_clock(self) -> None:
        """The header, every second and after each poll; the StatusBar fits it to its width."""
        counts = self._run_counts
        info = HeaderInfo(
            project=self.api.project_label,
            project_short=self.api.project_short,
            store=self.api.store_label,
            store_problem=self._store_problem,
            daemon=self._daemon_state,
            running=self._active_runs,
            queued=counts.queued,
            failed=counts.failed,
            readonly=self.readonly,
            clock=clock.clock_text(),
        )
        self.header_info = info
        self.status_text = header_text(info, 400)

    # -- navigation ----------------------------------------------------------------------------
    def action_mode(self, mode: str) -> None:
        self.switch_mode(mode)

    async def action_quit(self) -> None:
        """ctrl+q and `:q`: quit, but first say so when quitting stops the schedules and sensors
        this console's daemon fires; ctrl+q again while asked quits at once."""
        if self._quit_asked:
            self.exit(0)
            return
        self._check_quit()

    @work(thread=True, exclusive=True, group="quit")
    def _check_quit(self) -> None:
        try:
            warning = self.api.quit_warning()
        except Exception:  # noqa: BLE001 - a store problem must not keep the user in
            warning = None
        self.call_from_thread(self._confirm_quit, warning)

    def _confirm_quit(self, warning: str | None) -> None:
        if warning is None:
            self.exit(0)
            return
        self._quit_asked = True

        def answer(ok: bool | None) -> None:
            self._quit_asked = False
            if ok:
                self.exit(0)

        self.push_screen(ConfirmScreen("Quit and stop the schedules and sensors?", warning), answer)

    def action_back(self) -> None:
        """`q` goes back; on a top-level screen it does not quit (a stray `q` must not close a
        monitoring console) but says what does."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.notify("q goes back; this is a top-level screen: ctrl+q or :q quits", timeout=4)

    def action_help(self) -> None:
        """Every binding, the current screen's first (key_help builds the rows from the bindings)."""
        screen = self.screen
        self.push_screen(HelpScreen(help_rows(self.BINDINGS, screen), help_heading(screen)))  # type: ignore[arg-type]

    def binding_ids(self) -> set[str]:
        """Every binding id a keymap may remap."""
        return {b.id for _, bindings in self._binding_sources() for b in bindings if b.id}

    def _binding_sources(self) -> Iterable[tuple[str, tuple[Binding, ...]]]:
        for src in binding_sources(self.BINDINGS, None):  # type: ignore[arg-type]
            yield src.where, src.bindings

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: Textual's own commands, then the current screen's and the global actions
        from their bindings (one source with the keys), and reload, which has no key."""
        yield from super().get_system_commands(screen)
        yield from palette_commands(self, screen)
        yield SystemCommand(
            "Reload definitions", "Load the definitions files again (also :reload)", self.reload_definitions
        )


def run_console(instance: Instance, location: CodeLocation, readonly: bool = False) -> int:
    api = ConsoleAPI(instance, location)
    app = DagdeckApp(api, readonly=readonly, run_daemon=True)
    result = app.run()
    return int(result or 0)
