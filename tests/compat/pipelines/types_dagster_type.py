"""Custom Dagster types on op inputs and outputs: a `type_check_fn` returning a bool or a
`TypeCheck` with a description and metadata."""

import dagdeck as dg


def is_even(_context, value):
    return isinstance(value, int) and value % 2 == 0


EvenInt = dg.DagsterType(type_check_fn=is_even, name="EvenInt", description="An even integer")


def check_positive(_context, value):
    return dg.TypeCheck(
        success=value > 0,
        description=None if value > 0 else f"{value} is not positive",
        metadata={"value": value},
    )


Positive = dg.DagsterType(name="Positive", type_check_fn=check_positive)


@dg.op(out=dg.Out(EvenInt))
def make_even():
    return 4


@dg.op(ins={"n": dg.In(Positive)})
def halve(n):
    return n // 2


@dg.op
def make_negative() -> int:
    return -3


@dg.op(ins={"n": dg.In(dagster_type=Positive)})
def must_be_positive(n):
    return n


@dg.op(out=dg.Out(dagster_type=EvenInt))
def make_odd():
    return 3


@dg.job
def even_job():
    halve(make_even())


@dg.job
def negative_job():
    must_be_positive(make_negative())


@dg.job
def odd_job():
    make_odd()


defs = dg.Definitions(jobs=[even_job, negative_job, odd_job])
