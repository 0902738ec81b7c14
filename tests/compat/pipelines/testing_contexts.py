"""An op, an asset, a schedule, a sensor and a hook, each unit-tested by calling it directly with
a context from Dagster's `build_*_context` builders."""

import dagdeck as dg


class Greeter(dg.ConfigurableResource):
    punctuation: str = "!"

    def greet(self, name: str) -> str:
        return f"hello {name}{self.punctuation}"


@dg.op(config_schema={"name": str})
def greeting(context: dg.OpExecutionContext, greeter: Greeter) -> str:
    return greeter.greet(context.op_config["name"])


@dg.job
def greeting_job():
    greeting()


@dg.asset
def welcome_banner(context: dg.AssetExecutionContext, greeter: Greeter) -> str:
    return greeter.greet("banner").upper()


@dg.schedule(cron_schedule="0 9 * * 1", job=greeting_job)
def weekly_greeting(context: dg.ScheduleEvaluationContext):
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=day, run_config={"ops": {"greeting": {"config": {"name": day}}}})


@dg.sensor(job=greeting_job)
def name_sensor(context: dg.SensorEvaluationContext):
    last = int(context.cursor or 0)
    if last >= 2:
        return dg.SkipReason("no new names")
    context.update_cursor(str(last + 1))
    return dg.RunRequest(
        run_key=f"name-{last + 1}", run_config={"ops": {"greeting": {"config": {"name": f"n{last + 1}"}}}}
    )


@dg.success_hook
def note_success(context: dg.HookContext) -> str:
    return f"{context.op.name} succeeded"


defs = dg.Definitions(
    assets=[welcome_banner],
    jobs=[greeting_job],
    schedules=[weekly_greeting],
    sensors=[name_sensor],
    resources={"greeter": Greeter(punctuation="?")},
)
