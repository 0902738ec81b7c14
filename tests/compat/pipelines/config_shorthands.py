"""Config schemas written with shorthands: a bare `dict` or `list`, a scalar, `Noneable`, and a
top-level `Field` with a default."""

import dagdeck as dg


@dg.op(config_schema=dict)
def any_options(context):
    return context.op_config


@dg.op(config_schema=list)
def any_items(context):
    return context.op_config


@dg.op(config_schema=dg.Noneable(int))
def maybe_limit(context):
    return context.op_config


@dg.op(config_schema=dg.Field(str, default_value="hello", description="what to say"))
def greeting(context):
    return context.op_config


@dg.op(config_schema={"nested": {"depth": dg.Field(int, default_value=1)}})
def nested_defaults(context):
    return context.op_config


@dg.job
def shorthand_job():
    any_options()
    any_items()
    maybe_limit()
    greeting()
    nested_defaults()


defs = dg.Definitions(jobs=[shorthand_job])
