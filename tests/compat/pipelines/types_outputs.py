"""Ops with several outputs, yielded `Output`s with metadata, and what Dagster says when a step's
result does not fit its outputs; assets returning `MaterializeResult` (with or without a value)."""

import dagdeck as dg


@dg.op(out={"big": dg.Out(), "small": dg.Out()})
def split_orders():
    orders = [5, 120, 30, 900]
    yield dg.Output([o for o in orders if o < 100], output_name="small", metadata={"count": 2})
    yield dg.Output([o for o in orders if o >= 100], output_name="big")


@dg.op
def total(orders: list) -> int:
    return sum(orders)


@dg.job
def orders_job():
    big, small = split_orders()
    total(big)
    total.alias("total_small")(small)


@dg.op
def yields_plain_value():
    yield 5


@dg.op(out={"a": dg.Out(), "b": dg.Out()})
def yields_only_a():
    yield dg.Output(1, "a")


@dg.op(out={"a": dg.Out(), "b": dg.Out()})
def returns_one_value():
    return 5


@dg.op
def returns_misnamed_output():
    return dg.Output(5, output_name="other")


@dg.job
def broken_outputs_job():
    yields_plain_value()
    yields_only_a()
    returns_one_value()
    returns_misnamed_output()


@dg.asset
def written_elsewhere() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 10})


@dg.asset
def counted() -> dg.MaterializeResult[int]:
    return dg.MaterializeResult(value=7, metadata={"kind": "count"})


@dg.asset
def miscounted() -> dg.MaterializeResult[int]:
    return dg.MaterializeResult(value="seven")


defs = dg.Definitions(assets=[written_elsewhere, counted, miscounted], jobs=[orders_job, broken_outputs_job])
