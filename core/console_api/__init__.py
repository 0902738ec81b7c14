"""The console's window on the engine: plain read models, a few actions, and the engine names the
console needs (re-exported in `__all__`).

The console (`dagdeck.tui`) imports nothing else from the engine: an import-linter contract
enforces it. Every `ConsoleAPI` method may block on the store, so the console calls them from
thread workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagdeck.core.automation.backfill_states import BackfillView
from dagdeck.core.automation.watch import FileWatcher, files_watch  # cheap: watchdog loads on first watch
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.statuses import (
    AssetStatus,
    BackfillStatus,
    DaemonRole,
    InstigatorStatus,
    PartitionRunStatus,
    RunStatus,
    StepStatus,
    TickStatus,
    status_style,
)
from dagdeck.core.timefmt import iso, short_duration
from dagdeck.core.views.asset_health import CheckView
from dagdeck.core.views.console import AssetDetail, AssetRow, JobInfo
from dagdeck.core.views.header import RunCounts
from dagdeck.core.views.partition_health import PartitionHealth, PartitionStatus
from dagdeck.core.views.run_changes import RunChange, RunChangeKind, job_label
from dagdeck.core.views.runs import RunView, StepView
from dagdeck.core.views.step_error import Frame, StepError
from dagdeck.core.views.stored_values import DROPPED_NOTE
from dagdeck.store import EventRow, Run

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    from dagdeck.core.views.automation import AutomationRow, TickView
from dagdeck.core.console_api.assets import AssetReads, CompletionNames
from dagdeck.core.console_api.automation import AutomationAPI
from dagdeck.core.console_api.partitions import PartitionsAPI
from dagdeck.core.console_api.runs import RunsAPI

__all__ = [
    "job_label",
    "AssetDetail",
    "AssetRow",
    "AssetStatus",
    "AutomationRow",
    "BackfillStatus",
    "BackfillView",
    "CheckView",
    "CodeLocation",
    "CompletionNames",
    "ConsoleAPI",
    "DROPPED_NOTE",
    "DaemonRole",
    "DagdeckError",
    "EventRow",
    "EventType",
    "FileWatcher",
    "Frame",
    "Instance",
    "InstigatorStatus",
    "JobInfo",
    "PartitionHealth",
    "PartitionRunStatus",
    "PartitionStatus",
    "Run",
    "RunChange",
    "RunChangeKind",
    "RunCounts",
    "RunStatus",
    "RunView",
    "StepError",
    "StepStatus",
    "StepView",
    "TickStatus",
    "TickView",
    "did_you_mean",
    "files_watch",
    "iso",
    "short_duration",
    "status_style",
]


class ConsoleAPI(AssetReads, RunsAPI, AutomationAPI, PartitionsAPI):
    """The console's port: one object, its parts by concern (assets, runs, automation, partitions)."""
