"""Every status word dagdeck shows, as enums, and the one map from a status to its colour.

Runs, steps, ticks and assets each have their own enum; they are `StrEnum`s so they compare equal to
the words stored in the database and printed in `--json`. The CLI and the console both colour a
status through `status_style`, so a failure is the same red everywhere.
"""

from __future__ import annotations

import enum


class RunStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


ACTIVE = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)
"""Statuses that hold one of the `max_concurrent_runs` slots."""
FINISHED = (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED)


class StepStatus(enum.StrEnum):
    """Derived from a run's events (never stored on its own)."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UP_FOR_RETRY = "up_for_retry"
    SKIPPED = "skipped"
    CANCELED = "canceled"


class TickStatus(enum.StrEnum):
    """One evaluation of a schedule or sensor."""

    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    SKIPPED = "SKIPPED"
    FAILURE = "FAILURE"


class AssetStatus(enum.StrEnum):
    """An asset's latest state, from the asset-state projection and the running steps."""

    NEVER_MATERIALIZED = "never_materialized"
    MATERIALIZED = "materialized"
    FAILED = "failed"
    RUNNING = "running"
    CANCELED = "canceled"
    EXTERNAL = "external"
    """Declared (AssetSpec, SourceAsset, deps= on an undefined key), made outside dagdeck: never run."""


class BackfillStatus(enum.StrEnum):
    """A backfill as stored: requested, launching runs, then how it ended (Dagster's words)."""

    REQUESTED = "REQUESTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


BACKFILL_ACTIVE = (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS)
"""Backfills the daemon still tends."""


class PartitionRunStatus(enum.StrEnum):
    """One partition of a backfill, from the run that covers it (`backfill show --json`)."""

    MATERIALIZED = "materialized"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    MISSING = "missing"


class InstigatorStatus(enum.StrEnum):
    """A schedule's or sensor's switch, as stored (the words of `DefaultSensorStatus`)."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class DaemonState(enum.StrEnum):
    """What anyone sees of the daemon lease: someone holds it, or nobody does."""

    RUNNING = "running"
    OFF = "off"


class DaemonRole(enum.StrEnum):
    """One daemon's own part, as it knows it."""

    LEADER = "leader"
    STANDBY = "standby"
    OFF = "off"


_STYLES: dict[str, str] = {
    RunStatus.QUEUED: "grey62",
    RunStatus.STARTING: "cyan",
    RunStatus.STARTED: "cyan",
    RunStatus.SUCCESS: "green",
    RunStatus.FAILURE: "red",
    RunStatus.CANCELING: "yellow",
    RunStatus.CANCELED: "yellow",
    StepStatus.PENDING: "grey62",
    StepStatus.RUNNING: "cyan",
    StepStatus.SUCCEEDED: "green",
    StepStatus.FAILED: "red",
    StepStatus.UP_FOR_RETRY: "magenta",
    StepStatus.SKIPPED: "grey62",
    StepStatus.CANCELED: "yellow",
    TickStatus.SKIPPED: "grey62",
    AssetStatus.NEVER_MATERIALIZED: "grey50",
    AssetStatus.MATERIALIZED: "green",
    InstigatorStatus.RUNNING: "green",
    InstigatorStatus.STOPPED: "grey62",
    DaemonState.OFF: "grey62",
    DaemonRole.LEADER: "green",
    DaemonRole.STANDBY: "yellow",
    BackfillStatus.REQUESTED: "grey62",
    BackfillStatus.IN_PROGRESS: "cyan",
    BackfillStatus.COMPLETED: "green",
    BackfillStatus.FAILED: "red",
    PartitionRunStatus.MATERIALIZED: "green",
    PartitionRunStatus.IN_PROGRESS: "cyan",
    PartitionRunStatus.MISSING: "grey50",
}
"""Rich style names, which Textual renders too. Tick SUCCESS/FAILURE/STARTED and asset
failed/running/canceled share the run and step words' colours (same strings)."""


def status_style(status: str) -> str:
    """The colour of any status word; an unknown word is shown plain."""
    return _STYLES.get(status, "")
