"""An op job whose run config comes from its partition (`daily_partitioned_config`), a schedule
built from it, and a static-partitioned job (`static_partitioned_config`)."""

import dagdeck as dg


@dg.op(config_schema={"date": str})
def process_day(context: dg.OpExecutionContext) -> str:
    return f"{context.op_config['date']} ({context.partition_key})"


@dg.daily_partitioned_config(start_date="2024-01-01")
def day_config(start, _end):
    return {"ops": {"process_day": {"config": {"date": start.strftime("%Y-%m-%d")}}}}


@dg.job(config=day_config)
def daily_job():
    process_day()


@dg.op(config_schema={"country": str})
def process_country(context: dg.OpExecutionContext) -> str:
    return context.op_config["country"]


@dg.static_partitioned_config(partition_keys=["fr", "de"])
def country_config(partition_key: str):
    return {"ops": {"process_country": {"config": {"country": partition_key.upper()}}}}


@dg.job(config=country_config)
def country_job():
    process_country()


@dg.op
def hour_window(context: dg.OpExecutionContext) -> str:
    window = context.partition_time_window
    return f"{window.start:%Y-%m-%d %H:%M} to {window.end:%H:%M}"


@dg.job(partitions_def=dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00"))
def hourly_job():
    hour_window()


daily_schedule = dg.build_schedule_from_partitioned_job(daily_job)

defs = dg.Definitions(jobs=[daily_job, country_job, hourly_job], schedules=[daily_schedule])
