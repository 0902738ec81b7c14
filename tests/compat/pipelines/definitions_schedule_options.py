"""`ScheduleDefinition` options from Dagster's API docs: `run_config_fn`, `tags_fn` and
`should_execute` instead of a decorated schedule function."""

import dagdeck as dg


@dg.op(config_schema={"region": str})
def export_sales(context: dg.OpExecutionContext) -> str:
    return f"exported {context.op_config['region']}"


@dg.job
def export_job():
    export_sales()


def region_config(context: dg.ScheduleEvaluationContext) -> dict:
    return {"ops": {"export_sales": {"config": {"region": "emea"}}}}


def export_tags(context: dg.ScheduleEvaluationContext) -> dict:
    return {"team": "sales"}


export_schedule = dg.ScheduleDefinition(
    name="export_schedule",
    job=export_job,
    cron_schedule="0 2 * * *",
    run_config_fn=region_config,
    tags_fn=export_tags,
)

paused_schedule = dg.ScheduleDefinition(
    name="paused_schedule",
    job=export_job,
    cron_schedule="0 3 * * *",
    run_config={"ops": {"export_sales": {"config": {"region": "apac"}}}},
    should_execute=lambda context: False,
)

defs = dg.Definitions(jobs=[export_job], schedules=[export_schedule, paused_schedule])
