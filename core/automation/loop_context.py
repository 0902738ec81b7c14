"""What the parts of one daemon's loop (schedule firing, sensor evaluation) share with it."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from dagdeck.core.automation.lease import Lease
from dagdeck.core.running.launcher import Launcher
from dagdeck.store import Store


@dataclass(frozen=True)
class LoopContext:
    """What schedule firing and sensor evaluation share with the daemon that runs them."""

    store: Store
    launcher: Launcher
    lease: Lease
    now: Callable[[], float]
    evaluation_timeout: float
    wake: Callable[[], None]
    error: Callable[[str, str | None], None]
    """Record and log an error: message, then detail (a traceback) or None."""
    resume: set[str] = field(default_factory=set)
    """Schedules and sensors whose latest tick was interrupted (left STARTED): their next
    evaluation, due at once, finishes it (`tick_records`)."""

    def report(self, what: str, err: Exception) -> None:
        """An error of one schedule or sensor, with the traceback being handled."""
        self.error(f"{what}: {type(err).__name__}: {err}", traceback.format_exc())
