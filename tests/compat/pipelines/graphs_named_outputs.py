"""Several outputs of an op (or a graph) called in a graph body, read by name (`outs.values`) as
well as unpacked in order, as Dagster's documentation on dynamic graphs writes it."""

import dagdeck as dg


@dg.op(out={"values": dg.DynamicOut(), "negatives": dg.DynamicOut()})
def signed_values():
    for i in range(1, 4):
        yield dg.DynamicOutput(i, output_name="values", mapping_key=f"num_{i}")
        yield dg.DynamicOutput(-i, output_name="negatives", mapping_key=f"neg_{i}")


@dg.op
def double(x: int) -> int:
    return 2 * x


@dg.op
def total(numbers: list) -> int:
    return sum(numbers)


@dg.op(out={"low": dg.Out(), "high": dg.Out()})
def bounds():
    return 10, 20


@dg.op
def spread(low: int, high: int) -> int:
    return high - low


@dg.graph(out={"first": dg.GraphOut(), "second": dg.GraphOut()})
def both_bounds():
    pair = bounds()
    return {"first": pair.low, "second": pair.high}


@dg.job
def by_name():
    outs = signed_values()
    total.alias("sum_values")(outs.values.collect())
    total.alias("sum_doubled_negatives")(outs.negatives.map(double).collect())
    pair = both_bounds()
    spread(pair.first, high=pair.second)


@dg.job
def unpacked():
    values, negatives = signed_values()
    total.alias("sum_values")(values.collect())
    total.alias("sum_doubled_negatives")(negatives.map(double).collect())
    first, second = both_bounds()
    spread(first, second)


defs = dg.Definitions(jobs=[by_name, unpacked])
