"""An op mapped over two dynamic outputs at once."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def letters():
    yield dg.DynamicOutput("a", mapping_key="a")


@dg.op(out=dg.DynamicOut())
def numbers():
    yield dg.DynamicOutput(1, mapping_key="one")


@dg.op
def pair(letter: str, number: int) -> str:
    return f"{letter}{number}"


@dg.job
def two_origins():
    nums = numbers()
    letters().map(lambda letter: nums.map(lambda number: pair(letter, number)))


defs = dg.Definitions(jobs=[two_origins])
