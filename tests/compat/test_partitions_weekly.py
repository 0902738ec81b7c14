"""A weekly rollup of daily partitions: Dagster's default time-window mapping between two time
partitions definitions of different cadences."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, load, partition_materializations, pipeline, stored_partition_value

PIPELINE = pipeline("partitions_weekly_rollup")


def test_weekly_keys_start_on_sunday() -> None:
    """Dagster 1.13.28: WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22")
    has the weeks starting on Sundays 2024-01-07 and 2024-01-14 (cron "0 0 * * 0"); the daily one
    has the 21 days 2024-01-01 ... 2024-01-21."""
    defs = load(PIPELINE)
    by_name = {k.to_user_string(): n for k, n in defs.asset_graph.assets.items()}
    weekly = by_name["weekly_events"].spec.partitions_def
    daily = by_name["events"].spec.partitions_def
    assert list(weekly.get_partition_keys()) == ["2024-01-07", "2024-01-14"]
    assert weekly.cron_schedule == "0 0 * * 0"
    days = list(daily.get_partition_keys())
    assert (len(days), days[0], days[-1]) == (21, "2024-01-01", "2024-01-21")


def test_a_week_reads_its_seven_days_as_a_dict(tmp_path: Path) -> None:
    """Dagster 1.13.28: with every daily partition materialized, weekly_events for 2024-01-07 gets a
    dict of the seven days 2024-01-07 ... 2024-01-13 (sum 70; metadata days=7, first_day=2024-01-07,
    window 2024-01-07 to 2024-01-14) and is stored at weekly_events/2024-01-07."""
    home = tmp_path / "home"
    for day in range(7, 14):
        run = cli_run(
            PIPELINE, "materialize", "--select", "events", "--partition", f"2024-01-{day:02d}", home=home
        )
        assert run.returncode == 0, run.stderr
    run = cli_run(
        PIPELINE, "materialize", "--select", "weekly_events", "--partition", "2024-01-07", home=home
    )
    assert run.returncode == 0, run.stderr
    [(partition, metadata)] = partition_materializations(home, run.doc["run_id"], "weekly_events")
    assert partition == "2024-01-07"
    assert {k: metadata[k] for k in ("days", "first_day", "week_start", "week_end")} == {
        "days": 7,
        "first_day": "2024-01-07",
        "week_start": "2024-01-07",
        "week_end": "2024-01-14",
    }
    assert stored_partition_value(home, "weekly_events", "2024-01-07") == 70
