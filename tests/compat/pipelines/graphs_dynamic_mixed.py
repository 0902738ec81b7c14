"""An op with a dynamic output and a regular one side by side (Dagster docs: "Dynamic graphs")."""

import dagdeck as dg


@dg.op(out={"items": dg.DynamicOut(), "count": dg.Out()})
def split():
    for i in range(3):
        yield dg.DynamicOutput(i * 10, mapping_key=f"i{i}", output_name="items")
    yield dg.Output(3, output_name="count")


@dg.op
def double(x: int) -> int:
    return x * 2


@dg.op
def combine(values: list, count: int) -> dict:
    return {"values": values, "count": count}


@dg.job
def mixed_outputs():
    items, count = split()
    combine(items.map(double).collect(), count)


defs = dg.Definitions(jobs=[mixed_outputs])
