"""Dagster's built-in `json_console_logger` on a job: each `context.log` record is printed to
stderr as one JSON object."""

import dagdeck as dg


@dg.op
def load_orders(context: dg.OpExecutionContext) -> int:
    context.log.info("loaded 42 orders")
    return 42


@dg.job(logger_defs={"json": dg.json_console_logger})
def orders_job():
    load_orders()


defs = dg.Definitions(jobs=[orders_job])
