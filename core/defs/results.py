"""What a step function can return, and the policy for retrying it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Output:
    """A value with metadata; `output_name` picks one of an op's outputs."""

    value: Any
    output_name: str = "result"
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class MaterializeResult:
    """An asset that wrote its data itself: metadata only, nothing is stored by the IO manager."""

    metadata: dict[str, Any] = field(default_factory=dict)
    asset_key: Any = None


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed step `max_retries` times, waiting `delay` * `backoff`**attempt seconds."""

    max_retries: int = 1
    delay: float = 0.0
    backoff: float = 1.0

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        return max(0.0, self.delay * (self.backoff ** (attempt - 1)))
