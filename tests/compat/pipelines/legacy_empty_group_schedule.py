"""A schedule targeting a group no asset belongs to, as Dagster's schedules docs write it."""

import dagdeck as dg


@dg.asset
def my_asset():
    return 1


basic_schedule = dg.ScheduleDefinition(
    name="basic_asset_schedule",
    cron_schedule="0 0 * * *",
    target=dg.AssetSelection.groups("some_asset_group"),
)

empty_group_job = dg.define_asset_job("empty_group_job", selection=dg.AssetSelection.groups("nobody"))

defs = dg.Definitions(assets=[my_asset], schedules=[basic_schedule], jobs=[empty_group_job])
