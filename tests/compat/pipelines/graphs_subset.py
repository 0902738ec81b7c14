"""Graph-backed assets that can be subset (`can_subset=True`), as Dagster's docs write them: a
partial selection runs only the ops the selected assets need, and each op produces only the
outputs needed (`context.selected_output_names`)."""

import dagdeck as dg


# the documentation's example
@dg.op(out={"foo_1": dg.Out(is_required=False), "foo_2": dg.Out(is_required=False)})
def foo(context, bar_1):
    # Selectively returns outputs based on selected assets
    if "foo_1" in context.selected_output_names:
        yield dg.Output(bar_1 + 1, output_name="foo_1")
    if "foo_2" in context.selected_output_names:
        yield dg.Output(bar_1 + 2, output_name="foo_2")


@dg.op(out={"bar_1": dg.Out(), "bar_2": dg.Out()})
def bar():
    return 1, 2


@dg.op
def baz(foo_2, bar_2):
    return foo_2 + bar_2


@dg.graph(out={"foo_asset": dg.GraphOut(), "baz_asset": dg.GraphOut()})
def my_graph():
    bar_1, bar_2 = bar()
    foo_1, foo_2 = foo(bar_1)
    return {"foo_asset": foo_1, "baz_asset": baz(foo_2, bar_2)}


# the same idea through @graph_multi_asset, with an op that yields only what is selected
@dg.op(out={"small": dg.Out(is_required=False), "large": dg.Out(is_required=False)})
def split_numbers(context):
    numbers = [1, 5, 20, 50]
    if "small" in context.selected_output_names:
        yield dg.Output([n for n in numbers if n < 10], output_name="small")
    if "large" in context.selected_output_names:
        yield dg.Output([n for n in numbers if n >= 10], output_name="large")


@dg.op
def total(context, numbers: list) -> dict:
    return {"total": sum(numbers), "selected": sorted(context.selected_output_names)}


@dg.graph_multi_asset(
    outs={"small_total": dg.AssetOut(), "large_total": dg.AssetOut()},
    can_subset=True,
)
def number_totals():
    small, large = split_numbers()
    return {"small_total": total(small), "large_total": total(large)}


defs = dg.Definitions(
    assets=[dg.AssetsDefinition.from_graph(my_graph, can_subset=True), number_totals],
)
