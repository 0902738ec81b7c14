"""Every kind of config type an op's `config_schema` can hold, environment variables included."""

from enum import Enum as PyEnum

import dagdeck as dg


class Region(PyEnum):
    EU = "eu-west-1"
    US = "us-east-1"


@dg.op(
    config_schema={
        "mode": dg.Enum("Mode", [dg.EnumValue("full"), dg.EnumValue("incremental", python_value="inc")]),
        "region": dg.Enum.from_python_enum(Region),
        "target": dg.Selector({"table": str, "path": dg.Shape({"dir": str, "pattern": dg.Field(str, default_value="*.csv")})}),
        "options": dg.Permissive({"batch": dg.Field(dg.Int, default_value=100)}),
        "weights": dg.Map(str, dg.Float),
        "ids": dg.Array(dg.Int),
        "threshold": dg.Field(dg.Float, default_value=0.5),
        "anything": dg.Field(dg.Any, is_required=False),
    }
)
def plan_load(context):
    config = dict(context.op_config)
    config["region"] = config["region"].name
    return config


@dg.op(
    config_schema={
        "user": dg.StringSource,
        "port": dg.IntSource,
        "debug": dg.Field(dg.BoolSource, default_value=False),
    }
)
def connect(context):
    return dict(context.op_config)


@dg.job
def load_job():
    plan_load()
    connect()


defs = dg.Definitions(jobs=[load_job])
