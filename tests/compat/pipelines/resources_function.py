"""Function-style resources: `@resource(config_schema=)` that yields its value and cleans up after
the run, configured from run config and read by ops as `context.resources.<key>`."""

import os

import dagdeck as dg


@dg.resource(config_schema={"prefix": str, "log_path": dg.Field(str, is_required=False, default_value="")})
def greeter(init_context: dg.InitResourceContext):
    prefix = init_context.resource_config["prefix"]
    log_path = init_context.resource_config["log_path"]

    def greet(name: str) -> str:
        return f"{prefix}, {name}!"

    yield greet
    if log_path:  # teardown: runs once the run is over
        with open(log_path, "a") as f:
            f.write(f"closed {os.getpid()}\n")


@dg.op(required_resource_keys={"greeter"})
def hello(context: dg.OpExecutionContext) -> str:
    return context.resources.greeter("world")


@dg.op(required_resource_keys={"greeter"})
def shout(context: dg.OpExecutionContext, text: str) -> str:
    return context.resources.greeter(text.upper())


@dg.job(resource_defs={"greeter": greeter})
def greeting_job():
    shout(hello())


defs = dg.Definitions(jobs=[greeting_job])
