"""Retrying a failed step: the declarative `RetryPolicy` and the two exceptions a step function
raises to steer its own outcome, `RetryRequested` and `Failure`.

Delays follow Dagster's formulas, with `n` the number of the attempt that just failed (1-based):
no backoff waits `delay`; `Backoff.LINEAR` waits `n * delay`; `Backoff.EXPONENTIAL` waits
`(2**n - 1) * delay`. Jitter then randomizes: `FULL` picks uniformly in [0, wait]; `PLUS_MINUS`
adds a uniform offset in [-delay, +delay].
"""

from __future__ import annotations

import enum
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagdeck.core.errors import DefinitionError


class Backoff(enum.Enum):
    """How the wait grows with the attempt number."""

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """How the wait is randomized after backoff, so many retrying steps do not retry in lockstep."""

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed step up to `max_retries` times, waiting `delay` seconds shaped by `backoff`
    and `jitter` before each new attempt."""

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def __post_init__(self) -> None:
        problem, fix = _policy_problem(self)
        if problem:
            frame = sys._getframe(2)
            raise DefinitionError(
                problem, file=frame.f_code.co_filename, line=frame.f_lineno, obj="RetryPolicy", fix=fix
            )

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait after attempt number `attempt` (1-based) failed."""
        return calculate_delay(attempt, self.backoff, self.jitter, self.delay or 0.0)


def _policy_problem(policy: RetryPolicy) -> tuple[str | None, str | None]:
    if (
        not isinstance(policy.max_retries, int)
        or isinstance(policy.max_retries, bool)
        or policy.max_retries < 0
    ):
        return (
            f"max_retries must be an int >= 0, got {policy.max_retries!r}",
            "e.g. RetryPolicy(max_retries=3)",
        )
    if policy.delay is not None and (not isinstance(policy.delay, int | float) or policy.delay < 0):
        return f"delay must be a number of seconds >= 0, got {policy.delay!r}", "e.g. RetryPolicy(delay=2)"
    if policy.backoff is not None and not isinstance(policy.backoff, Backoff):
        return (
            f"backoff must be Backoff.LINEAR or Backoff.EXPONENTIAL, got {policy.backoff!r}",
            "e.g. RetryPolicy(delay=1, backoff=Backoff.EXPONENTIAL)",
        )
    if policy.jitter is not None and not isinstance(policy.jitter, Jitter):
        return (
            f"jitter must be Jitter.FULL or Jitter.PLUS_MINUS, got {policy.jitter!r}",
            "e.g. RetryPolicy(delay=1, jitter=Jitter.PLUS_MINUS)",
        )
    if policy.delay is None and (policy.backoff is not None or policy.jitter is not None):
        return "backoff and jitter shape a delay, but no delay was given", "add delay=<seconds>"
    return None, None


def calculate_delay(attempt: int, backoff: Backoff | None, jitter: Jitter | None, delay: float) -> float:
    """The wait after failed attempt number `attempt` (1-based); never negative."""
    if backoff is Backoff.EXPONENTIAL:
        wait = (2**attempt - 1) * delay
    elif backoff is Backoff.LINEAR:
        wait = attempt * delay
    else:
        wait = delay
    if jitter is Jitter.FULL:
        wait = random.random() * wait
    elif jitter is Jitter.PLUS_MINUS:
        wait = wait + random.uniform(-delay, delay)
    return max(0.0, wait)


class RetryRequested(Exception):  # noqa: N818 - Dagster's name
    """Raised by a step function to ask for another attempt, with or without a retry policy.

    `max_retries` bounds how many retries the step may ask for; `seconds_to_wait` is the pause
    before the next attempt. Raise it `from` the original error so that error is reported."""

    def __init__(self, max_retries: int | None = 1, seconds_to_wait: float | None = None) -> None:
        super().__init__()
        self.max_retries = 1 if max_retries is None else int(max_retries)
        self.seconds_to_wait = seconds_to_wait


class Failure(Exception):  # noqa: N818 - Dagster's name
    """Raised by a step function to fail on purpose: `description` becomes the step's error and
    `metadata` is recorded on its failure event. `allow_retries=False` bypasses the retry policy."""

    def __init__(
        self,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        allow_retries: bool | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.allow_retries = True if allow_retries is None else bool(allow_retries)
