"""An op with two named outputs returning a tuple of Output objects, annotated with
Tuple[Output[int], Output[str]], as Dagster's op events docs write it."""

from typing import Tuple  # noqa: UP035  (as the docs write it)

import dagdeck as dg


@dg.op(out={"int_out": dg.Out(), "str_out": dg.Out()})
def my_multiple_generic_output_op() -> Tuple[dg.Output[int], dg.Output[str]]:  # noqa: UP006
    return (dg.Output(5, metadata={"kind": "number"}), dg.Output("foo"))


@dg.op
def combine(number: int, text: str) -> str:
    return f"{text}{number}"


@dg.op(out={"first": dg.Out(), "second": dg.Out()})
def named_in_wrong_order():
    return (dg.Output(1, "second"), dg.Output(2, "first"))


@dg.job
def tuple_outputs_job():
    number, text = my_multiple_generic_output_op()
    combine(number, text)


@dg.job
def misnamed_outputs_job():
    named_in_wrong_order()


defs = dg.Definitions(jobs=[tuple_outputs_job, misnamed_outputs_job])
