import dagdeck as dg


@dg.asset(group_name="analytics")
def order_total(raw_orders: list[int]) -> int:
    return sum(raw_orders)


@dg.asset(group_name="analytics")
def orders_per_customer(raw_orders: list[int], raw_customers: list[str]) -> float:
    return len(raw_orders) / len(raw_customers)


analytics_job = dg.define_asset_job("analytics_job", selection=dg.AssetSelection.groups("analytics"))

defs = dg.Definitions(
    assets=[order_total, orders_per_customer],
    jobs=[analytics_job],
    schedules=[dg.ScheduleDefinition(job=analytics_job, cron_schedule="0 6 * * *")],
)
