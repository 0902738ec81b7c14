"""What the console says when runs start, are canceled or fail outside it: one toast per run and
kind, and one summary toast when a poll brings many (a backfill, a busy schedule)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.notifications import SeverityLevel

from dagdeck.core.console_api import RunChange, RunChangeKind

MANY = 4
"""More changes of one kind than this in one poll are said in one toast."""


@dataclass(frozen=True, slots=True)
class Toast:
    message: str
    title: str
    severity: SeverityLevel = "information"
    timeout: float = 6.0


def _what(change: RunChange) -> str:
    label = change.job_label
    return label.strip("()") if label != change.job_name else f"job {label}"


def _one(change: RunChange) -> Toast:
    run = change.run_id[:8]
    if change.kind == RunChangeKind.STARTED:
        return Toast(
            f"run {run} ({_what(change)}) started by {change.trigger.replace(':', ' ')}", "run started"
        )
    if change.kind == RunChangeKind.CANCELED:
        return Toast(f"run {run} ({_what(change)}) canceled elsewhere", "run canceled", "warning")
    why = change.message.splitlines()[0][:120] if change.message else ""
    return Toast(
        f"run {run} ({_what(change)}) failed: {why}; :run {run} opens it", "run failed", "error", 10.0
    )


def run_toasts(
    changes: Iterable[RunChange], own_runs: set[str], toasted: set[tuple[str, RunChangeKind]]
) -> list[Toast]:
    """The toasts for `changes` not said yet (`toasted` is updated). Starts and cancels of the
    console's own runs are not news; their failures are."""
    fresh: dict[RunChangeKind, list[RunChange]] = {}
    for change in changes:
        key = (change.run_id, change.kind)
        if key in toasted:
            continue
        toasted.add(key)
        if change.kind != RunChangeKind.FAILED and change.run_id in own_runs:
            continue
        fresh.setdefault(change.kind, []).append(change)
    out: list[Toast] = []
    for kind, group in fresh.items():
        if len(group) <= MANY:
            out.extend(_one(c) for c in group)
            continue
        by = sorted({c.trigger.replace(":", " ") for c in group})
        shown = ", ".join(by[:3]) + (" …" if len(by) > 3 else "")
        severity: SeverityLevel = "error" if kind == RunChangeKind.FAILED else "information"
        out.append(Toast(f"{len(group)} runs {kind} ({shown}); 2 lists them", f"runs {kind}", severity, 8.0))
    return out
