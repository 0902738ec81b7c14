"""Durations read the same everywhere (tables, headers, the CLI): the unit always shown, at most six
characters, so a column sized for them never cuts `282ms` into `282m`."""

from __future__ import annotations

import pytest

from dagdeck.core.timefmt import short_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (-0.5, "0ms"),
        (0.2824, "282ms"),
        (0.9996, "999ms"),
        (4.24, "4.2s"),
        (59.96, "1m00s"),
        (120, "2m00s"),
        (3599, "59m59s"),
        (3600, "1h00m"),
        (18180, "5h03m"),
        (172799, "47h59m"),
        (172800, "2d00h"),
        (96_000_000, "1111d02h"),
    ],
)
def test_short_duration(seconds: float | None, text: str) -> None:
    assert short_duration(seconds) == text


def test_short_durations_fit_six_columns_below_100_days() -> None:
    for seconds in [0.001 * 1.7**i for i in range(60)]:
        if seconds < 100 * 86400:
            assert len(short_duration(seconds)) <= 6, seconds
