"""The console's schedules, sensors, daemon holder and header counts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from dagdeck.core.errors import DagdeckError
from dagdeck.core.statuses import (
    DaemonRole,
    InstigatorStatus,
)
from dagdeck.core.views.header import RunCounts, daemon_label, failed_count, run_counts

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    from dagdeck.core.views.automation import AutomationRow, TickView

from dagdeck.core.console_api.base import FAILED_REFRESH_S, ConsoleBase


class AutomationAPI(ConsoleBase):
    # -- automation ----------------------------------------------------------------------------
    def automation_rows(self) -> list[AutomationRow]:
        from dagdeck.core.views.automation import list_automation

        defs = self.defs
        return list_automation(defs, self.instance.store) if defs else []

    def toggle_automation(self, name: str) -> str:
        from dagdeck.core.views.automation import toggle

        defs = self._require_defs()
        return toggle(defs, self.instance.store, name).status

    def tick_history(self, name: str, limit: int = 30) -> list[TickView]:
        from dagdeck.core.views.automation import tick_history

        return tick_history(self.instance.store, name, limit)

    def evaluate_sensor(self, name: str) -> str:
        """`t`: ask the leading daemon to evaluate now, or evaluate and launch here."""
        from dagdeck.core.views.automation import evaluate_sensor_now

        if self.daemon is not None and self.daemon.is_leader:
            self.daemon.request_sensor_tick(name)
            return f"sensor {name}: evaluation requested"
        if self.loaded is None:
            raise DagdeckError(f"definitions did not load: {self.load_error}")
        preview = evaluate_sensor_now(self.instance, self.loaded, name, launcher=self.launcher, launch=True)
        self.launcher.drain()
        ev = preview.evaluation
        if ev.error:
            return f"sensor {name} failed: {ev.error.strip().splitlines()[-1]}"
        if ev.skip_reason and not preview.run_ids:
            return f"sensor {name} skipped: {ev.skip_reason}"
        return f"sensor {name}: launched {len(preview.run_ids)} run(s)"

    def daemon_state(self) -> str:
        """leader / standby for the console's own daemon, else running / off seen through the lease."""
        if self.daemon is not None:
            return str(self.daemon.status().state)
        from dagdeck.core.views.automation import daemon_info

        return daemon_info(self.instance.store).state

    def daemon_label(self) -> str:
        """The header's `daemon: ...`: `this console`, `pid N on host` or `off`."""
        from dagdeck.core.views.automation import daemon_info

        own = self.daemon.status() if self.daemon is not None else None
        if own is not None and own.state == DaemonRole.LEADER:
            return daemon_label(own, None, None)
        info = daemon_info(self.instance.store)
        return daemon_label(own, info.state, info.owner)

    def run_counts(self, now: float | None = None) -> RunCounts:
        """Running (judged), queued and recently failed runs, for the header. The failures (a list
        query) are read again every FAILED_REFRESH_S, or after new events at most once a second."""
        mono, event = time.monotonic(), self.last_event_id()
        seen = self._failed_seen
        age = mono - seen[0] if seen else FAILED_REFRESH_S
        if age >= FAILED_REFRESH_S or (age >= 1.0 and event != self._failed_at_event):
            seen = self._failed_seen = (mono, failed_count(self.instance.store, now))
            self._failed_at_event = event
        assert seen is not None
        return run_counts(self.instance.store, self.active_run_count(), now, seen[1])

    def quit_warning(self) -> str | None:
        """What stops when this console quits: its daemon fires the schedules and sensors that are
        on only while it holds the lease. None when nothing would stop."""
        if self.daemon is None or not self.daemon.is_leader:
            return None
        on = [r.name for r in self.automation_rows() if r.status == InstigatorStatus.RUNNING]
        if not on:
            return None
        names = ", ".join(on[:6]) + (f" and {len(on) - 6} more" if len(on) > 6 else "")
        return (
            f"This console runs the daemon: {len(on)} schedule(s)/sensor(s) stop firing when it quits ({names}).\n"
            "Keep them firing with `dagdeck daemon` in another terminal or as a service."
        )
