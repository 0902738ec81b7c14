"""Assets computed by graphs of ops: `@graph_asset`, `@graph_multi_asset` and
`AssetsDefinition.from_graph` (Dagster docs: "Graph-backed assets")."""

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


@dg.graph_asset
def sorted_numbers():
    return sort_numbers(fetch_numbers())


@dg.asset
def largest(sorted_numbers: list) -> int:
    return sorted_numbers[-1]


@dg.graph_multi_asset(outs={"high_number": dg.AssetOut(), "low_number": dg.AssetOut()})
def high_and_low():
    ordered = sort_numbers(fetch_numbers())
    return {"high_number": highest(ordered), "low_number": lowest(ordered)}


@dg.graph
def top_of(sorted_numbers):
    return highest(sort_numbers(sorted_numbers))


top_number = dg.AssetsDefinition.from_graph(
    top_of,
    keys_by_output_name={"result": dg.AssetKey("top_number")},
    group_name="reports",
)


defs = dg.Definitions(assets=[sorted_numbers, largest, high_and_low, top_number])
