"""Logging from a step: `context.log` and `get_dagster_logger()` both land in the run's event log."""

import dagdeck as dg

logger = dg.get_dagster_logger()


@dg.asset
def cleaned_orders(context: dg.AssetExecutionContext):
    context.log.debug("reading raw orders")
    context.log.info("cleaning %d orders", 3)
    context.log.warning("1 order has no customer")
    logger.info("module logger: done cleaning")
    dg.get_dagster_logger("orders").error("named logger: 1 order dropped")
    return [1, 2]


@dg.op
def count_orders():
    dg.get_dagster_logger().info("counting in an op")
    return 2


@dg.job
def count_job():
    count_orders()


defs = dg.Definitions(assets=[cleaned_orders], jobs=[count_job])
