"""Duration bars on a shared time axis: a small Gantt chart for a run's steps."""

from __future__ import annotations

from rich.text import Text

from dagdeck.core.console_api import StepStatus, StepView, short_duration

STEP_STYLE = {
    "succeeded": "green",
    "failed": "red",
    "running": "cyan",
    "up_for_retry": "magenta",
    "skipped": "grey50",
    "canceled": "yellow",
    "pending": "grey50",
}


def bar(step: StepView, t0: float | None, t1: float, width: int) -> Text:
    if t0 is None or step.started_at is None or width <= 0:
        return Text("")
    span = max(t1 - t0, 1e-6)
    start = int((step.started_at - t0) / span * width)
    end_ts = step.ended_at or t1
    end = max(start + 1, int((end_ts - t0) / span * width + 0.5))
    end = min(end, width)
    start = min(start, width - 1)
    text = Text(" " * start)
    text.append("█" * (end - start), style=STEP_STYLE.get(step.status, ""))
    return text


def step_duration(step: StepView, now: float) -> str:
    """A finished step's duration; a running one's time so far (it ticks with the poll)."""
    if step.duration_s is not None:
        return short_duration(step.duration_s)
    if step.status in (StepStatus.RUNNING, StepStatus.UP_FOR_RETRY) and step.started_at is not None:
        return short_duration(max(0.0, now - step.started_at))
    return "-"
