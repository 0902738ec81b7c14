"""How the CLI prints: one JSON document with --json, short rich tables otherwise."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dagdeck.core.defs.metadata import plain
from dagdeck.core.timefmt import short_duration
from dagdeck.core.views.runs import RunView

STATUS_STYLE = {
    "SUCCESS": "green",
    "FAILURE": "red",
    "CANCELED": "yellow",
    "CANCELING": "yellow",
    "STARTED": "cyan",
    "STARTING": "cyan",
    "QUEUED": "dim",
    "succeeded": "green",
    "failed": "red",
    "canceled": "yellow",
    "skipped": "dim",
    "running": "cyan",
    "up_for_retry": "magenta",
    "pending": "dim",
}

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def styled(text: str) -> str:
    style = STATUS_STYLE.get(text)
    return f"[{style}]{text}[/]" if style else text


def print_run_summary(view: RunView) -> None:
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
            table.add_row(s.key, styled(s.status), short_duration(s.duration_s), str(s.attempts), s.error or "")
        console.print(table)
    else:
        counts: dict[str, int] = {}
        for s in steps:
            counts[s.status] = counts.get(s.status, 0) + 1
        console.print("steps: " + ", ".join(f"{styled(k)} {v}" for k, v in sorted(counts.items())))
        for s in steps:
            if s.status == "failed":
                console.print(f"  [red]failed[/] {s.key}: {s.error}")
    shown = view.materializations[-10:]
    for m in shown:
        meta = plain(m.data.get("metadata"))
        details = ", ".join(f"{k}={_short(v)}" for k, v in meta.items())
        console.print(f"[bold]{escape(str(m.asset_key))}[/] materialized" + (f": {escape(details)}" if details else ""))
    if len(view.materializations) > len(shown):
        console.print(f"... and {len(view.materializations) - len(shown)} more materializations")
    dur = (r.ended_at - r.started_at) if r.ended_at and r.started_at else None
    tail = f" ({r.failure_reason})" if r.failure_reason and r.status != "SUCCESS" else ""
    console.print(f"run {r.run_id} {styled(r.status)} in {short_duration(dur)}{tail}")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else " ".join(value.split())
    return text if len(text) <= 40 else text[:37] + "..."
