"""Ops that fail on purpose with `Failure`, carrying a description and metadata; with a retry
policy, `allow_retries=False` stops the retries."""

import dagdeck as dg


@dg.op
def validate_rows() -> int:
    bad_rows = 3
    raise dg.Failure(
        description="3 rows failed validation",
        metadata={"bad_rows": bad_rows, "table": "orders"},
    )


@dg.op(retry_policy=dg.RetryPolicy(max_retries=3))
def call_api() -> int:
    raise dg.Failure(description="the API answered 401: bad credentials", allow_retries=False)


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
def call_busy_api() -> int:
    raise dg.Failure(description="the API answered 503")


@dg.job
def validate_job():
    validate_rows()


@dg.job
def api_job():
    call_api()
    call_busy_api()


defs = dg.Definitions(jobs=[validate_job, api_job])
