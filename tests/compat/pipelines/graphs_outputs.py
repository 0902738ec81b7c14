"""Graphs with several outputs, nested graphs with inputs, and a graph used twice
(Dagster docs: "Nesting graphs", "Graphs with multiple outputs")."""

import dagdeck as dg


@dg.op
def fetch_numbers() -> list:
    return [3, 1, 2]


@dg.op
def sort_numbers(numbers: list) -> list:
    return sorted(numbers)


@dg.op
def highest(numbers: list) -> int:
    return numbers[-1]


@dg.op
def lowest(numbers: list) -> int:
    return numbers[0]


@dg.op
def spread(high: int, low: int) -> int:
    return high - low


@dg.graph(out={"high": dg.GraphOut(), "low": dg.GraphOut()})
def extremes(numbers):
    ordered = sort_numbers(numbers)
    return {"high": highest(ordered), "low": lowest(ordered)}


@dg.graph(out={"high": dg.GraphOut(), "low": dg.GraphOut()})
def extremes_as_tuple(numbers):
    ordered = sort_numbers(numbers)
    return highest(ordered), lowest(ordered)


@dg.graph
def range_of(numbers):
    high, low = extremes(numbers)
    return spread(high, low)


@dg.job
def number_stats():
    numbers = fetch_numbers()
    range_of(numbers)
    pair = extremes_as_tuple.alias("tuple_extremes")(numbers)
    spread.alias("tuple_spread")(pair.high, pair.low)
    again = extremes(fetch_numbers())
    spread.alias("second_spread")(again.high, again.low)


defs = dg.Definitions(jobs=[number_stats])
