"""Tiny text sparklines: one character per value, so a metadata table row can carry its history."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 30) -> str:
    vals = list(values)[-width:]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if hi == lo:
        return BARS[3] * len(vals)
    span = hi - lo
    return "".join(BARS[min(len(BARS) - 1, int((v - lo) / span * (len(BARS) - 1) + 0.5))] for v in vals)


def number(value: float) -> str:
    """A compact number for a summary: 1,234 · 0.25 · 1.2e+07."""
    if value != value:  # NaN
        return "nan"
    if abs(value) >= 1e7:
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"


def spark_summary(values: Sequence[float], width: int = 20) -> str:
    """`▁▃█▅ 3–12 last 5`: the sparkline with the range it spans and the last value, so the bars
    have a scale."""
    vals = list(values)
    if len(vals) < 2:
        return ""
    return f"{sparkline(vals, width)} {number(min(vals))}–{number(max(vals))} last {number(vals[-1])}"
