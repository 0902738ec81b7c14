"""A collected dynamic output put inside a fan-in list."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def parts():
    yield dg.DynamicOutput(1, mapping_key="one")


@dg.op
def single() -> int:
    return 2


@dg.op
def echo(x: int) -> int:
    return x


@dg.op
def total(values: list) -> int:
    return sum(values)


@dg.job
def collect_in_fan_in():
    total([parts().map(echo).collect(), single()])


defs = dg.Definitions(jobs=[collect_in_fan_in])
