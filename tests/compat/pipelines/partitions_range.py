"""One run for a range of partitions: the asset reads its key range and time window and writes
its own output (returns None), as a single-run backfill does."""

import dagdeck as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-02-01", end_date="2024-02-10")


@dg.asset(partitions_def=daily)
def daily_load(context: dg.AssetExecutionContext) -> None:
    keys = context.partition_keys
    window = context.partition_time_window
    context.add_output_metadata(
        {
            "first": context.partition_key_range.start,
            "last": context.partition_key_range.end,
            "count": len(keys),
            "hours": int((window.end - window.start).total_seconds() // 3600),
        }
    )


defs = dg.Definitions(assets=[daily_load])
