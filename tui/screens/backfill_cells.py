"""How backfills and their partitions read in the console (the list and the detail share them): status
words with icons, a progress bar coloured by partition state, counts, durations."""

from __future__ import annotations

from rich.text import Text

from dagdeck.core.console_api import (
    BackfillStatus,
    BackfillView,
    PartitionRunStatus,
    short_duration,
    status_style,
)

BAR_WIDTH = 12
SELECTION_WIDTH = 24
ICONS = {
    BackfillStatus.REQUESTED: "…",
    BackfillStatus.IN_PROGRESS: "◐",
    BackfillStatus.COMPLETED: "✔",
    BackfillStatus.FAILED: "✖",
    BackfillStatus.CANCELED: "⊘",
}
PARTITION_ICONS = {
    PartitionRunStatus.MATERIALIZED: "✔",
    PartitionRunStatus.FAILED: "✖",
    PartitionRunStatus.IN_PROGRESS: "◐",
    PartitionRunStatus.MISSING: "·",
}
WORDS = {
    PartitionRunStatus.MATERIALIZED: "materialized",
    PartitionRunStatus.FAILED: "failed",
    PartitionRunStatus.IN_PROGRESS: "in progress",
    PartitionRunStatus.MISSING: "missing",
}


def backfill_status_text(status: str) -> Text:
    return Text(f"{ICONS.get(status, '?')} {status}", style=status_style(status) or "yellow")


def partition_status_text(status: PartitionRunStatus) -> Text:
    return Text(f"{PARTITION_ICONS[status]} {WORDS[status]}", style=status_style(status))


def progress_bar(counts: dict[PartitionRunStatus, int], width: int = BAR_WIDTH) -> Text:
    """One cell per 1/width of the partitions, coloured by state; a state that has any partition
    keeps at least one cell (one failure in a thousand must show)."""
    total = sum(counts.values())
    bar = Text()
    if total == 0:
        return Text("░" * width, style="grey50")
    cells = {s: (max(1, round(n * width / total)) if n else 0) for s, n in counts.items()}
    biggest = max(cells, key=lambda s: cells[s])
    cells[biggest] += width - sum(cells.values())
    for status in PartitionRunStatus:
        char = "░" if status == PartitionRunStatus.MISSING else "█"
        bar.append(char * cells.get(status, 0), style=status_style(status))
    return bar


def counts_text(counts: dict[PartitionRunStatus, int], words: bool = False) -> Text:
    """`3✔ 1✖ 2◐ 4·` (states with no partition left out), or with words for the detail header."""
    text = Text()
    for status in PartitionRunStatus:
        n = counts.get(status, 0)
        if not n:
            continue
        if text:
            text.append(", " if words else " ")
        text.append(
            f"{n} {WORDS[status]}" if words else f"{n}{PARTITION_ICONS[status]}", style=status_style(status)
        )
    return text or Text("-")


def legend() -> Text:
    text = Text("partitions: ", style="grey62")
    for status in PartitionRunStatus:
        text.append(f"{PARTITION_ICONS[status]} {WORDS[status]}  ", style=status_style(status))
    return text


def duration(view: BackfillView, now: float) -> str:
    b = view.backfill
    end = b.ended_at or (now if b.status in (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS) else None)
    return short_duration(end - b.created_at) if end else "-"


def selection_of(view: BackfillView) -> str:
    select = str(view.backfill.selection.get("select") or ",".join(view.backfill.selection.get("assets", [])))
    return select if len(select) <= SELECTION_WIDTH else select[: SELECTION_WIDTH - 1] + "…"
