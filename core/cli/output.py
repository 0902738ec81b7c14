"""How the CLI prints: one JSON document with --json, short plain lines and tables otherwise.

User text (names, descriptions, metadata, errors, tags, paths) only ever reaches the console inside a
`Text`, never inside markup, so a description like `[/]` or `[bold]` prints as written instead of
crashing Rich. Status words take their colour from `status_style`, the map the console uses too.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dagdeck.core.defs.metadata import plain
from dagdeck.core.statuses import RunStatus, StepStatus, status_style
from dagdeck.core.timefmt import short_duration
from dagdeck.core.views.runs import RunView

console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def print_json(data: Any) -> None:
    """One JSON document on stdout (bypasses Rich so nothing is wrapped or styled)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def status_text(status: str | None, width: int = 0) -> Text:
    """A status word in its colour, left-aligned in `width` columns."""
    return padded(status or "-", status_style(status or ""), width)


def padded(word: str, style: str, width: int = 0) -> Text:
    """`word` in `style`, then plain spaces up to `width` (so the colour stops at the word)."""
    text = Text.assemble((word, style))
    text.pad_right(max(0, width - len(word)))
    return text


def line(*parts: str | Text | tuple[str, str]) -> Text:
    """Plain text, `Text`, or (text, style) pairs joined as one line; nothing is parsed as markup."""
    return Text.assemble(*parts)


def print_error(message: str) -> None:
    """The one `error: ...` line on stderr that every failure ends with."""
    err_console.print(line(("error:", "red"), " ", message))


def print_run_summary(view: RunView) -> None:
    """Steps (a table, or counts for big runs), the last materializations, then the run's outcome."""
    r = view.run
    steps = view.steps
    if len(steps) <= 40:
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        table.add_column("step")
        table.add_column("status")
        table.add_column("duration", justify="right")
        table.add_column("attempts", justify="right")
        table.add_column("error", overflow="fold")
        for s in steps:
            table.add_row(
                Text(s.key), status_text(s.status), short_duration(s.duration_s), str(s.attempts), Text(s.error or "")
            )
        console.print(table)
    else:
        counts: dict[str, int] = {}
        for s in steps:
            counts[s.status] = counts.get(s.status, 0) + 1
        parts = [line(status_text(k), f" {v}") for k, v in sorted(counts.items())]
        console.print(line("steps: ", Text(", ").join(parts)))
        for s in steps:
            if s.status == StepStatus.FAILED:
                console.print(line("  ", status_text(StepStatus.FAILED), f" {s.key}: {s.error}"))
    shown = view.materializations[-10:]
    for m in shown:
        meta = plain(m.data.get("metadata"))
        details = ", ".join(f"{k}={_short(v)}" for k, v in meta.items())
        console.print(line((str(m.asset_key), "bold"), " materialized", f": {details}" if details else ""))
    if len(view.materializations) > len(shown):
        console.print(f"... and {len(view.materializations) - len(shown)} more materializations")
    dur = (r.ended_at - r.started_at) if r.ended_at and r.started_at else None
    tail = f" ({r.failure_reason})" if r.failure_reason and r.status != RunStatus.SUCCESS else ""
    console.print(line(f"run {r.run_id} ", status_text(r.status), f" in {short_duration(dur)}{tail}"))


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else " ".join(value.split())
    return text if len(text) <= 40 else text[:37] + "..."
