"""Ops and assets with no config schema that still read `context.op_config`: run config passes
its `config` value through unchecked."""

import dagdeck as dg


@dg.op
def uses_config(context) -> int:
    for _ in range(context.op_config["iterations"]):
        context.log.info("hello")
    return context.op_config["iterations"]


@dg.op
def echo_config(context):
    return context.op_config


@dg.job
def config_example():
    uses_config()
    echo_config()


@dg.asset
def greeting(context) -> str:
    config = context.op_config or {}
    return f"hello {config.get('name', 'nobody')}"


defs = dg.Definitions(assets=[greeting], jobs=[config_example])
