"""The daemon's share of the run queue: drain it after its own launches, and every second watch the
workers (which finds dead ones and drains too). Any dagdeck process that notices a free slot drains;
the daemon is the one that is always there."""

from __future__ import annotations

import logging
import time

from dagdeck.core.running.launcher import Launcher

log = logging.getLogger("dagdeck.daemon")

WATCH_SECONDS = 1.0
"""Real seconds between two looks at the workers."""


class RunQueueTender:
    def __init__(self, launcher: Launcher) -> None:
        self.launcher = launcher
        self._last_watch = 0.0

    def tend(self, launched: bool) -> None:
        """Watch the workers when it is time, else drain if this pass launched runs."""
        mono = time.monotonic()
        if mono - self._last_watch >= WATCH_SECONDS:
            self._last_watch = mono
            for run_id in self.launcher.watch():  # also drains
                log.warning("run %s: worker died; marked failed", run_id[:8])
        elif launched:
            self.launcher.drain()
