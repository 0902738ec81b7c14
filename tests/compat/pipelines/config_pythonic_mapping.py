"""A job whose config mapping takes a pydantic `Config` (Dagster's pythonic config mapping), a
graph with one, and a mapping function that fails on some values."""

import dagdeck as dg


class DoSomethingConfig(dg.Config):
    config_param: str


@dg.op
def do_something(context: dg.OpExecutionContext, config: DoSomethingConfig) -> str:
    context.log.info("config_param: " + config.config_param)
    return config.config_param


class SimplifiedConfig(dg.Config):
    simplified_param: str
    repeat: int = 1


@dg.config_mapping
def simplified_config(val: SimplifiedConfig) -> dg.RunConfig:
    return dg.RunConfig(
        ops={"do_something": DoSomethingConfig(config_param=val.simplified_param * val.repeat)}
    )


@dg.job(config=simplified_config)
def do_it_all_with_simplified_config():
    do_something()


class GreetingConfig(dg.Config):
    name: str = "world"


@dg.config_mapping
def greeting_config(val: GreetingConfig):
    return {"do_something": {"config": {"config_param": f"hello {val.name}"}}}


@dg.graph(config=greeting_config)
def greeting():
    do_something()


@dg.job
def greeting_job():
    greeting()


@dg.op(config_schema={"factor": int})
def scale(context) -> int:
    return 10 * context.op_config["factor"]


@dg.config_mapping(config_schema={"divisor": int})
def ratio_config(val):
    return {"ops": {"scale": {"config": {"factor": 100 // val["divisor"]}}}}


@dg.job(config=ratio_config)
def ratio_job():
    scale()


defs = dg.Definitions(jobs=[do_it_all_with_simplified_config, greeting_job, ratio_job])
