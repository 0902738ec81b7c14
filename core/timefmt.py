"""Timestamps are floats in the store and ISO 8601 with a time zone everywhere users see them."""

from __future__ import annotations

import datetime as dt


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")


def short_duration(seconds: float | None) -> str:
    """A duration at most six characters wide, its unit always shown: `282ms`, `4.2s`, `2m00s`,
    `5h03m`, `12d05h`. Columns sized for it never cut a unit off (`282m` would read as minutes)."""
    if seconds is None:
        return "-"
    seconds = max(0.0, seconds)
    if seconds < 1:
        return f"{min(999, round(seconds * 1000))}ms"
    if seconds < 60:
        return f"{seconds:.1f}s" if round(seconds, 1) < 60 else "1m00s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"
