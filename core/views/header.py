"""What the console's header line says: run counts and who runs the schedules and sensors."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from dagdeck.core.statuses import DaemonRole, DaemonState, RunStatus
from dagdeck.store import Store

FAILED_WINDOW_S = 24 * 3600.0
"""The header counts failures of the last day: an old failure is history, not an alarm."""


@dataclass(frozen=True)
class RunCounts:
    running: int
    queued: int
    failed: int
    """Runs that failed within FAILED_WINDOW_S."""


def run_counts(store: Store, running: int, now: float | None = None, failed: int | None = None) -> RunCounts:
    """`running` comes judged from the caller (a dead worker's run is not running); `failed`, when
    given, is a recent `failed_count` (the caller may refresh it less often than the rest)."""
    queued = store.count_runs(statuses=[RunStatus.QUEUED])
    return RunCounts(running, queued, failed_count(store, now) if failed is None else failed)


def failed_count(store: Store, now: float | None = None, limit: int = 100) -> int:
    """Runs failed within FAILED_WINDOW_S (at most `limit`: the header says `100 failed` then)."""
    since = (time.time() if now is None else now) - FAILED_WINDOW_S
    count = 0
    for run in store.list_runs(statuses=[RunStatus.FAILURE], limit=limit):  # newest first
        if run.created_at < since and (run.ended_at or 0) < since:
            break
        count += 1
    return count


def owner_label(owner_id: str | None) -> str:
    """`host:pid:nonce` (the lease owner) as `pid N on host`."""
    if not owner_id:
        return "on"
    host, _, rest = owner_id.partition(":")
    pid = rest.partition(":")[0]
    return f"pid {pid} on {host}" if pid.isdigit() else owner_id


def daemon_label(own: Any, lease_state: DaemonState | None, lease_owner: str | None) -> str:
    """`this console` when the console's own daemon leads, else the lease holder, else `off`.
    `own` is the console's daemon status (core.automation.daemon.DaemonStatus) or None."""
    if own is not None:
        if own.state == DaemonRole.LEADER:
            return "this console"
        if own.state == DaemonRole.STANDBY and own.leader_id:
            return owner_label(own.leader_id)
    if lease_state == DaemonState.RUNNING:
        return owner_label(lease_owner)
    return "off"
