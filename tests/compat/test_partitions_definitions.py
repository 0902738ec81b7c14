"""Partitions definitions on their own: the keys each kind lists (at a fixed current time), as
Dagster 1.13.28 lists them for the same arguments."""

from __future__ import annotations

import datetime as dt

import pytest

import dagdeck as dg

NOW = dt.datetime(2024, 3, 10, 15, 30, tzinfo=dt.UTC)


def _summary(pdef: dg.PartitionsDefinition) -> tuple[int, list[str], list[str]]:
    keys = list(pdef.get_partition_keys(current_time=NOW))
    return len(keys), keys[:2], keys[-2:]


@pytest.mark.parametrize(
    ("pdef", "expected"),
    [
        (
            dg.DailyPartitionsDefinition(start_date="2024-03-01"),
            (9, ["2024-03-01", "2024-03-02"], ["2024-03-08", "2024-03-09"]),
        ),
        (
            dg.DailyPartitionsDefinition(start_date="2024-03-01", end_offset=1),
            (10, ["2024-03-01", "2024-03-02"], ["2024-03-09", "2024-03-10"]),
        ),
        (
            dg.DailyPartitionsDefinition(start_date="2024-03-01", end_offset=-2),
            (7, ["2024-03-01", "2024-03-02"], ["2024-03-06", "2024-03-07"]),
        ),
        (
            dg.HourlyPartitionsDefinition(start_date="2024-03-10-00:00"),
            (15, ["2024-03-10-00:00", "2024-03-10-01:00"], ["2024-03-10-13:00", "2024-03-10-14:00"]),
        ),
        (
            dg.HourlyPartitionsDefinition(start_date="2024-03-10-00:00", timezone="America/New_York"),
            (10, ["2024-03-10-00:00", "2024-03-10-01:00"], ["2024-03-10-09:00", "2024-03-10-10:00"]),
        ),
        (
            dg.MonthlyPartitionsDefinition(start_date="2023-11-01"),
            (4, ["2023-11-01", "2023-12-01"], ["2024-01-01", "2024-02-01"]),
        ),
        (
            dg.WeeklyPartitionsDefinition(start_date="2024-02-01", day_offset=1),
            (4, ["2024-02-05", "2024-02-12"], ["2024-02-19", "2024-02-26"]),
        ),
        (
            dg.DailyPartitionsDefinition(start_date="20240301", fmt="%Y%m%d"),
            (9, ["20240301", "20240302"], ["20240308", "20240309"]),
        ),
        (
            dg.DailyPartitionsDefinition(start_date="2024-03-01", hour_offset=6),
            (9, ["2024-03-01", "2024-03-02"], ["2024-03-08", "2024-03-09"]),
        ),
        (
            dg.TimeWindowPartitionsDefinition(
                start="2024-03-01", cron_schedule="0 0 * * *", fmt="%Y-%m-%d", end="2024-03-04"
            ),
            (3, ["2024-03-01", "2024-03-02"], ["2024-03-02", "2024-03-03"]),
        ),
    ],
    ids=[
        "daily",
        "end_offset+1",
        "end_offset-2",
        "hourly",
        "hourly-dst-new-york",
        "monthly",
        "weekly-monday",
        "fmt",
        "hour_offset",
        "cron-with-end",
    ],
)
def test_time_window_keys(pdef: dg.PartitionsDefinition, expected: tuple[int, list[str], list[str]]) -> None:
    """Dagster 1.13.28 at current_time 2024-03-10 15:30 UTC: daily from 2024-03-01 lists 9 days
    (today is not over), end_offset=1 adds today, end_offset=-2 drops two days; hourly lists 15
    hours, 10 in New York on its DST day (02:00 does not exist); monthly from 2023-11-01 lists 4;
    weekly with day_offset=1 starts on Monday 2024-02-05; fmt and hour_offset as given; a cron
    definition with end 2024-03-04 lists 3 days."""
    assert _summary(pdef) == expected


def test_time_window_of_a_key_in_its_timezone() -> None:
    """Dagster 1.13.28: DailyPartitionsDefinition(start_date="2024-03-01",
    timezone="Europe/Paris").time_window_for_partition_key("2024-03-05") spans
    2024-03-05T00:00+01:00 to 2024-03-06T00:00+01:00; its first key is 2024-03-01."""
    pdef = dg.DailyPartitionsDefinition(start_date="2024-03-01", timezone="Europe/Paris")
    window = pdef.time_window_for_partition_key("2024-03-05")
    assert (window.start.isoformat(), window.end.isoformat()) == (
        "2024-03-05T00:00:00+01:00",
        "2024-03-06T00:00:00+01:00",
    )
    assert pdef.get_first_partition_key() == "2024-03-01"


def test_static_keys_ranges_and_duplicates() -> None:
    """Dagster 1.13.28: StaticPartitionsDefinition(["x", "y", "z"]).get_partition_keys_in_range(
    PartitionKeyRange("y", "z")) is ["y", "z"], has_partition_key("q") is False, and duplicate
    keys are refused: "Partition keys must be unique. Duplicate instances of partition keys:
    ['a']."."""
    static = dg.StaticPartitionsDefinition(["x", "y", "z"])
    assert static.get_partition_keys_in_range(dg.PartitionKeyRange("y", "z")) == ["y", "z"]
    assert static.has_partition_key("q") is False
    with pytest.raises(Exception, match=r"Duplicate instances of partition keys: \['a'\]"):
        dg.StaticPartitionsDefinition(["a", "b", "a"])
