"""Branching with optional outputs: only the branch whose output is yielded runs
(Dagster docs: "Ops - Conditional branching")."""

import dagdeck as dg


@dg.op(out={"even": dg.Out(is_required=False), "odd": dg.Out(is_required=False)})
def branch():
    number = 4
    if number % 2 == 0:
        yield dg.Output(number, output_name="even")
    else:
        yield dg.Output(number, output_name="odd")


@dg.op
def handle_even(number: int) -> int:
    return number * 10


@dg.op
def handle_odd(number: int) -> int:
    return number * 100


@dg.op
def after_odd(number: int) -> int:
    return number


@dg.op
def gather(numbers: list) -> list:
    return numbers


@dg.job
def branching():
    even, odd = branch()
    from_even = handle_even(even)
    from_odd = handle_odd(odd)
    after_odd(from_odd)
    gather.alias("gather_mixed")([from_even, from_odd])
    gather.alias("gather_none")([from_odd, odd])


@dg.op(out={"first": dg.Out(), "second": dg.Out()})
def forgets_second():
    yield dg.Output(1, output_name="first")


@dg.job
def missing_required():
    first, second = forgets_second()
    handle_even(first)
    handle_odd(second)


@dg.op(out=dg.Out(is_required=False))
def maybe_value():
    if False:
        yield dg.Output(1)


@dg.job
def nothing_yielded():
    handle_even(maybe_value())


defs = dg.Definitions(jobs=[branching, missing_required, nothing_yielded])
