"""Daily events rolled up by week: the weekly asset depends on the daily one with Dagster's default
time-window mapping, so one weekly partition reads the seven daily partitions of its week."""

import dagdeck as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22")
weekly = dg.WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22")


@dg.asset(partitions_def=daily)
def events(context: dg.AssetExecutionContext) -> int:
    return int(context.partition_key[-2:])


@dg.asset(partitions_def=weekly)
def weekly_events(context: dg.AssetExecutionContext, events: dict[str, int]) -> dg.MaterializeResult:
    window = context.partition_time_window
    return dg.MaterializeResult(
        value=sum(events.values()),
        metadata={
            "days": len(events),
            "first_day": min(events),
            "week_start": window.start.strftime("%Y-%m-%d"),
            "week_end": window.end.strftime("%Y-%m-%d"),
        },
    )


defs = dg.Definitions(assets=[events, weekly_events])
