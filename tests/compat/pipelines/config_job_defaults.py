"""Jobs whose `config=` is the default run config: a dict for `config_schema` ops, a `RunConfig`
of pydantic `Config` objects for ops that take a `config` parameter."""

import dagdeck as dg


@dg.op(config_schema={"city": str, "units": dg.Field(str, default_value="metric")})
def fetch_weather(context):
    return {"city": context.op_config["city"], "units": context.op_config["units"]}


@dg.op(config_schema={"days": int})
def forecast(context, weather):
    return {**weather, "days": context.op_config["days"]}


@dg.job(config={"ops": {"fetch_weather": {"config": {"city": "Oslo"}}, "forecast": {"config": {"days": 3}}}})
def weather_job():
    forecast(fetch_weather())


class GreetingConfig(dg.Config):
    name: str
    shout: bool = False


@dg.op
def greet(config: GreetingConfig) -> str:
    text = f"hello {config.name}"
    return text.upper() if config.shout else text


@dg.job(config=dg.RunConfig(ops={"greet": GreetingConfig(name="Ada")}))
def greeting_job():
    greet()


defs = dg.Definitions(jobs=[weather_job, greeting_job])
