"""Schedules and sensors that name what they run with `target=` (Dagster 1.8+): an asset
selection, an asset job, an op job. None of the jobs is listed in `jobs=[...]`."""

import dagdeck as dg


@dg.asset(group_name="marts")
def daily_orders() -> list[int]:
    return [3, 1, 2]


@dg.asset(group_name="marts")
def order_count(daily_orders: list[int]) -> int:
    return len(daily_orders)


@dg.asset(group_name="reports")
def weekly_report(order_count: int) -> str:
    return f"{order_count} orders"


@dg.op
def send_email() -> str:
    return "sent"


@dg.job
def notify_job():
    send_email()


reports_job = dg.define_asset_job("reports_job", selection="weekly_report")

marts_schedule = dg.ScheduleDefinition(
    name="marts_schedule", cron_schedule="0 5 * * *", target=dg.AssetSelection.groups("marts")
)


@dg.schedule(cron_schedule="0 8 * * 1", target=reports_job)
def weekly_reports_schedule(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest()


@dg.sensor(target=notify_job, minimum_interval_seconds=60)
def notify_sensor(context: dg.SensorEvaluationContext):
    return dg.SkipReason("nothing to send")


@dg.sensor(target="*order_count")
def orders_sensor(context: dg.SensorEvaluationContext):
    return dg.SkipReason("no new files")


defs = dg.Definitions(
    assets=[daily_orders, order_count, weekly_report],
    schedules=[marts_schedule, weekly_reports_schedule],
    sensors=[notify_sensor, orders_sensor],
)
