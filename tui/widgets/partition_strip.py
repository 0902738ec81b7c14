"""The partition health strip: one cell per partition, coloured by status, with dates on an axis.

More partitions than columns fold into weeks, months, quarters or years (calendar buckets, for time
partitions) or into equal runs of keys, each cell showing the worst status it holds: a failed day
stays visible in a strip of 1,000 days. `fold` and `axis` are pure (unit-tested); the renderable
folds to the width it is given, so the pane can be any size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual.widget import Widget

from dagdeck.core.console_api import PartitionHealth, PartitionStatus

CELL = {
    PartitionStatus.MATERIALIZED: ("█", "green"),
    PartitionStatus.FAILED: ("✖", "red"),
    PartitionStatus.IN_PROGRESS: ("▒", "cyan"),
    PartitionStatus.MISSING: ("░", "grey50"),
}
"""Glyph and colour per status: the glyphs differ too, so the strip reads without colour."""
LABEL = {
    PartitionStatus.MATERIALIZED: "materialized",
    PartitionStatus.FAILED: "failed",
    PartitionStatus.IN_PROGRESS: "in progress",
    PartitionStatus.MISSING: "missing",
}
WORST_FIRST = (
    PartitionStatus.FAILED,
    PartitionStatus.MISSING,
    PartitionStatus.IN_PROGRESS,
    PartitionStatus.MATERIALIZED,
)
_RANK = {s: i for i, s in enumerate(WORST_FIRST)}


@dataclass(frozen=True)
class Cell:
    """Partitions `first`..`last` (indexes, both included) shown as one cell of `status`."""

    status: PartitionStatus
    first: int
    last: int


@dataclass(frozen=True)
class Folded:
    cells: list[Cell]
    unit: str
    """What one cell is: "partition", "week", "month", "quarter", "year" or "N partitions"."""


def _week(d: datetime) -> tuple[int, int]:
    iso = d.isocalendar()
    return iso[0], iso[1]


CALENDAR: tuple[tuple[str, float, Callable[[datetime], object]], ...] = (
    ("day", 1, lambda d: (d.year, d.month, d.day)),
    ("week", 7, _week),
    ("month", 30.4, lambda d: (d.year, d.month)),
    ("quarter", 91.3, lambda d: (d.year, (d.month - 1) // 3)),
    ("year", 365.25, lambda d: d.year),
)
"""Each calendar unit, its length in days (to skip units that cannot fit without bucketing every
key), and the bucket of a date."""


def _worst(statuses: Sequence[PartitionStatus], first: int, last: int) -> PartitionStatus:
    return min(statuses[first : last + 1], key=_RANK.__getitem__)


def fold(statuses: Sequence[PartitionStatus], width: int, dates: Sequence[datetime] | None = None) -> Folded:
    """At most `width` cells for `statuses`: one per partition when they fit, else calendar
    buckets of `dates` (the finest that fits), else equal runs of partitions."""
    n, width = len(statuses), max(1, width)
    if n <= width:
        return Folded([Cell(s, i, i) for i, s in enumerate(statuses)], "partition")
    if dates is not None and len(dates) == n:
        span_days = (dates[-1] - dates[0]).total_seconds() / 86400
        for unit, days, bucket_of in CALENDAR:
            if span_days / days > width * 1.1:  # far too many buckets: not worth computing them
                continue
            bounds = _buckets([bucket_of(d) for d in dates])
            if len(bounds) <= width:
                if len(bounds) == n:  # as many buckets as partitions: not a fold
                    continue
                return Folded([Cell(_worst(statuses, a, b), a, b) for a, b in bounds], unit)
    size = math.ceil(n / width)
    cells = [
        Cell(_worst(statuses, a, min(n, a + size) - 1), a, min(n, a + size) - 1) for a in range(0, n, size)
    ]
    return Folded(cells, f"{size} partitions")


def _buckets(ids: Sequence[object]) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal ids."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            bounds.append((start, i - 1))
            start = i
    return bounds


DATE_LABEL = {
    "partition": "%b %d",
    "day": "%b %d",
    "week": "%b %Y",
    "month": "%b %Y",
    "quarter": "%b %Y",
    "year": "%Y",
}


def cell_width(cells: int, width: int) -> int:
    """Columns per cell: a short strip widens its cells (up to 3) to fill the line."""
    return max(1, min(3, width // max(1, cells)))


def axis(folded: Folded, keys: Sequence[str], dates: Sequence[datetime] | None, width: int) -> str:
    """The line under the cells: dates at the start of months (or years) for time partitions,
    else the first and last key; never wider than `width`."""
    cells = folded.cells
    if not cells:
        return ""
    k = cell_width(len(cells), width)
    if dates is None:
        first, last = keys[cells[0].first], keys[cells[-1].last]
        if len(cells) == 1 or len(first) + len(last) + 3 > width:
            return first[:width]
        return first + " " * max(1, len(cells) * k - len(first) - len(last)) + last
    fmt = DATE_LABEL.get(folded.unit, "%Y-%m-%d")
    line = _place(cells, dates, fmt, width, folded.unit, k, major=True)
    if line.count("╵") < 2:  # too few month (or year) starts: label any cell that has room
        line = _place(cells, dates, fmt, width, folded.unit, k, major=False)
    return line


def _place(
    cells: Sequence[Cell], dates: Sequence[datetime], fmt: str, width: int, unit: str, k: int, major: bool
) -> str:
    """Labels at cells (month starts only when `major`), each where the last one left room; the
    first names its year."""
    line = [" "] * width
    free = 0
    for i, cell in enumerate(cells):
        if major and not _starts_period(dates, cell, unit):
            continue
        x = i * k
        first_fmt = fmt if "%Y" in fmt else "%Y-%m-%d"
        when = dates[cell.last] if major and unit == "week" else dates[cell.first]  # the month it opens
        label = "╵" + when.strftime(first_fmt if free == 0 else fmt)
        if x < free or x + len(label) > width:
            continue
        line[x : x + len(label)] = label
        free = x + len(label) + 2
    return "".join(line).rstrip()


def _starts_period(dates: Sequence[datetime], cell: Cell, unit: str) -> bool:
    """Whether a new month (a new year for months and wider) begins within the cell."""
    if cell.first == 0:
        return True
    a, b = dates[cell.first - 1], dates[cell.last]
    if unit in ("month", "quarter", "year"):
        return a.year != b.year
    return (a.year, a.month) != (b.year, b.month)


def legend(statuses: Sequence[PartitionStatus]) -> Text:
    """Counts per status, worst first, with each status's glyph."""
    text = Text()
    for status in WORST_FIRST:
        count = sum(1 for s in statuses if s is status)
        if count:
            glyph, colour = CELL[status]
            text.append(f"{glyph} ", style=colour)
            text.append(f"{count:,} {LABEL[status]}  ")
    return text


class StripRenderable:
    """The strip for a Rich group: folds to the width it is rendered at."""

    def __init__(self, health: PartitionHealth) -> None:
        self.health = health
        self._folded: dict[int, Folded] = {}
        """By width: Rich renders a group more than once (measuring, then drawing)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        h = self.health
        width = max(8, options.max_width)
        statuses = h.column_statuses
        folded = self._folded.get(width)
        if folded is None:
            folded = self._folded[width] = fold(statuses, width, h.dates)
        title = Text()
        dims = f" × {len(h.rows):,} {h.dimensions[1]}" if h.rows else ""
        title.append(f"{len(h.columns):,}{dims} partitions", style="bold")
        if folded.unit != "partition":
            per = folded.unit if folded.unit[0].isdigit() else f"1 {folded.unit}"
            title.append(f" · a cell = {per} (worst)", style="grey50")
        yield title
        cells = Text(no_wrap=True, overflow="crop")
        k = cell_width(len(folded.cells), width)
        for cell in folded.cells:
            glyph, colour = CELL[cell.status]
            cells.append(glyph * k, style=colour)
        yield cells
        yield Text(axis(folded, h.columns, h.dates, width), style="grey62", no_wrap=True, overflow="crop")
        yield legend(h.statuses)


class PartitionStrip(Widget):
    """The strip as a widget (the partition view's header)."""

    DEFAULT_CSS = "PartitionStrip { height: auto; }"

    def __init__(self, health: PartitionHealth, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.health = health

    def set_health(self, health: PartitionHealth) -> None:
        self.health = health
        self.refresh(layout=True)

    def render(self) -> StripRenderable:  # type: ignore[override]
        return StripRenderable(self.health)
