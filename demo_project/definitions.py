"""The demo's code location: `dagdeck -m demo_project.definitions ...`."""

from __future__ import annotations

import dagdeck as dg
from demo_project.assets import all_assets
from demo_project.checks import all_checks
from demo_project.jobs import cleanup_job, ingest_file_job, refresh_orders
from demo_project.live import live_assets, live_demo
from demo_project.partitioned import partitioned_assets

hourly_refresh = dg.ScheduleDefinition(
    name="hourly_refresh",
    job=refresh_orders,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refresh the orders and the warehouse copy at the top of every hour.",
)

incoming_orders = dg.file_sensor(
    "data/incoming/*.csv",
    job=ingest_file_job,
    name="incoming_orders",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Load each CSV dropped into demo_project/data/incoming/.",
)

defs = dg.Definitions(
    assets=[*all_assets, *live_assets, *partitioned_assets],
    asset_checks=all_checks,
    jobs=[refresh_orders, cleanup_job, ingest_file_job, live_demo],
    schedules=[hourly_refresh],
    sensors=[incoming_orders],
)
