"""What every part of the console's API shares: the instance, the launcher, the loaded definitions
and the console's own daemon."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import CodeLocation, Loaded, load, location_files
from dagdeck.core.errors import DagdeckError, DefinitionError
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.statuses import (
    FINISHED,
)
from dagdeck.core.views.console import AssetRow
from dagdeck.store import Run

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    pass

FAILED_REFRESH_S = 5.0
"""How often the header's failed-runs count is read again when no event came in between."""


class ConsoleBase:
    def __init__(self, instance: Instance, location: CodeLocation) -> None:
        self.instance = instance
        self.location = location
        self.launcher = Launcher(instance)
        self.loaded: Loaded | None = None
        self.load_error: DefinitionError | None = None
        self._rows: dict[str, AssetRow] = {}
        """The rows of the last `asset_rows()`: the detail pane reuses its row instead of a rescan."""
        self.daemon: Any = None
        """The console's own automation daemon (core.daemon.Daemon), when it runs one."""
        self._lock = threading.Lock()
        self._failed_seen: tuple[float, int] | None = None
        """(monotonic time, count) of the header's last failed-runs read."""
        self._failed_at_event = -1
        self.last_launched_run_id: str | None = None
        """The newest run this console started (the runs screen puts its cursor there)."""
        self.own_runs: set[str] = set()
        """Runs this console started or canceled: their start and cancel need no toast."""

    # -- the console's own daemon ----------------------------------------------------------------
    def start_daemon(self) -> Any:
        """Fire schedules and sensors from a thread of this process; returns the daemon (it has
        `stop()`). Call once the definitions are loaded."""
        from dagdeck.core.automation.daemon import Daemon  # croniter and watchdog load only when used

        assert self.loaded is not None, "start_daemon needs loaded definitions"
        self.daemon = Daemon(self.instance, self.loaded, watch_files=True)
        self.daemon.start()
        return self.daemon

    def prepare_launches(self) -> None:
        """Start the worker server in the background, so the console's first launch is quick;
        call once the first screen is painted (it costs a moment of CPU)."""
        self.launcher.prestart()

    # -- definitions ---------------------------------------------------------------------------
    def reload(self) -> DefinitionError | None:
        """Load the code location; on error keep the last good definitions."""
        try:
            loaded = load(self.location)
        except DefinitionError as err:
            self.load_error = err
            return err
        with self._lock:
            self.loaded, self.load_error = loaded, None
        if self.daemon is not None:
            self.daemon.set_definitions(loaded)
        return None

    @property
    def defs(self) -> Definitions | None:
        return self.loaded.defs if self.loaded else None

    @property
    def watched_files(self) -> list[Path]:
        return list(self.loaded.files) if self.loaded else location_files(self.location)

    @property
    def project_label(self) -> str:
        return Path(self.location.working_dir).name + " · " + self.location.label.rsplit("/", 1)[-1]

    @property
    def project_short(self) -> str:
        """The header's name at 80 columns: the file's name, or the module's top package."""
        loc = self.location
        return Path(loc.file).name if loc.file else (loc.module or "?").split(".", 1)[0]

    @property
    def store_label(self) -> str:
        url = self.instance.store.url
        return "sqlite" if url.startswith("sqlite") else url.split("://", 1)[0].split("+", 1)[0]

    @property
    def store_problem(self) -> str | None:
        """What is wrong with the store connection right now (while the store retries), if anything."""
        return self.instance.store.connection_problem

    # -- shared by the parts ---------------------------------------------------------------------
    def _require_defs(self) -> Definitions:
        if self.defs is None:
            raise DagdeckError(f"definitions did not load: {self.load_error}")
        return self.defs

    def _launched(self, run: Run) -> Run:
        self.own_runs.add(run.run_id)
        self.last_launched_run_id = run.run_id
        return run

    def _judged(self, runs: list[Run]) -> list[Run]:
        """`runs` after judging the workers of the unfinished ones (a readonly console reads here
        too): a run whose worker died ends FAILURE, and its slot goes to the next queued run."""
        ended = set(self.launcher.check([run for run in runs if run.status not in FINISHED]))
        if not ended:
            return runs
        self.launcher.drain()
        store = self.instance.store
        return [(store.get_run(run.run_id) or run) if run.run_id in ended else run for run in runs]
