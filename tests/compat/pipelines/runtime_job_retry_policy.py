"""One retry policy for every op of a job (`op_retry_policy`), an op keeping its own, and one
invocation given another with `with_retry_policy`."""

import dagdeck as dg


@dg.op
def extract(context: dg.OpExecutionContext) -> int:
    if context.retry_number < 2:
        raise ConnectionError("source busy")
    return 10


@dg.op(retry_policy=dg.RetryPolicy(max_retries=0))
def load_once(context: dg.OpExecutionContext) -> int:
    raise ValueError(f"load failed on attempt {context.retry_number + 1}")


@dg.op
def transform(context: dg.OpExecutionContext) -> int:
    if context.retry_number < 1:
        raise ConnectionError("worker lost")
    return 5


@dg.job(op_retry_policy=dg.RetryPolicy(max_retries=2))
def etl_job():
    extract()
    load_once()
    transform.with_retry_policy(dg.RetryPolicy(max_retries=1))()


defs = dg.Definitions(jobs=[etl_job])
