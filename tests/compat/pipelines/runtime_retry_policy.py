"""Ops that fail a few times and are retried by their RetryPolicy, as Dagster's "Op retries"
guide writes them: a fixed delay shaped by exponential or linear backoff, and jitter."""

import dagdeck as dg


@dg.op(retry_policy=dg.RetryPolicy(max_retries=3, delay=0.05, backoff=dg.Backoff.EXPONENTIAL))
def fetch_orders(context: dg.OpExecutionContext) -> int:
    # the upstream API is flaky: the first two attempts fail
    if context.retry_number < 2:
        raise ConnectionError(f"API timed out (attempt {context.retry_number + 1})")
    return 42


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2, delay=0.05, backoff=dg.Backoff.LINEAR))
def fetch_customers(context: dg.OpExecutionContext) -> int:
    if context.retry_number < 2:
        raise ConnectionError("API timed out")
    return 7


@dg.op(retry_policy=dg.RetryPolicy(max_retries=1, delay=0.05, jitter=dg.Jitter.FULL))
def fetch_products(context: dg.OpExecutionContext) -> int:
    if context.retry_number < 1:
        raise ConnectionError("API timed out")
    return 3


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
def broken_feed() -> int:
    raise ValueError("the feed is gone")


@dg.op
def combine(orders: int, customers: int, products: int) -> int:
    return orders + customers + products


@dg.job
def fetch_job():
    combine(fetch_orders(), fetch_customers(), fetch_products())


@dg.job
def broken_job():
    broken_feed()


defs = dg.Definitions(jobs=[fetch_job, broken_job])
