"""What schedule and sensor functions return: a run to request, or why not this time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunRequest:
    run_key: str | None = None
    run_config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    job_name: str | None = None
    asset_selection: list[Any] | None = None
    asset_check_keys: list[Any] | None = None
    """`AssetCheckKey`s to evaluate; alone (no `asset_selection`), a run of just those checks
    against the stored values of their assets."""
    partition_key: str | None = None
    """The partition the run targets: carried as its `dagster/partition` tag, as Dagster tags it."""

    def __post_init__(self) -> None:
        if self.partition_key is not None:
            self.tags = {**self.tags, "dagster/partition": str(self.partition_key)}


@dataclass
class SkipReason:
    skip_message: str = ""


@dataclass
class SensorResult:
    """Dagster's richer sensor return: run requests, or a skip reason, and the new cursor."""

    run_requests: list[RunRequest] | None = None
    skip_reason: str | SkipReason | None = None
    cursor: str | None = None
    dynamic_partitions_requests: list[Any] | None = None
    asset_events: list[Any] | None = None

    def __post_init__(self) -> None:
        if self.asset_events:
            from dagdeck.core.errors import DefinitionError

            what = "asset_events"
            raise DefinitionError(
                f"dagdeck does not support SensorResult({what}=...) yet",
                obj="SensorResult",
                fix="return run_requests, skip_reason and cursor; docs/compatibility.md lists what is supported",
            )
        if isinstance(self.skip_reason, SkipReason):
            self.skip_reason = self.skip_reason.skip_message
