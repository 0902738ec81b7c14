"""A graph with an input, made a job by giving the input its value (`to_job(input_values=)`)."""

import dagdeck as dg


@dg.op
def add_one(x: int) -> int:
    return x + 1


@dg.op
def double(y: int) -> int:
    return y * 2


@dg.graph
def plus_one_doubled(x):
    return double(add_one(x))


plus_one_job = plus_one_doubled.to_job(name="plus_one_job", input_values={"x": 5})

defs = dg.Definitions(jobs=[plus_one_job])
