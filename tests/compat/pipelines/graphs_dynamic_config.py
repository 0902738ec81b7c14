"""Run config reaching mapped ops: config_schema and a Config class, given once per op name and
used by every mapped step of it (Dagster docs: "Dynamic graphs", "Op config")."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def nums():
    for i in range(2):
        yield dg.DynamicOutput(i, mapping_key=f"n{i}")


@dg.op(config_schema={"factor": int})
def scale(context, x: int) -> int:
    return x * context.op_config["factor"]


class AddConfig(dg.Config):
    amount: int = 1


@dg.op
def add(config: AddConfig, x: int) -> int:
    return x + config.amount


@dg.op
def gather(xs: list) -> list:
    return xs


@dg.job
def cfg_job():
    gather(nums().map(scale).map(add).collect())


defs = dg.Definitions(jobs=[cfg_job])
