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


@dataclass
class SkipReason:
    skip_message: str = ""
