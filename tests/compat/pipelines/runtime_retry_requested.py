"""Ops that ask for their own retries with RetryRequested, as Dagster's docs show for a flaky call:
no retry policy needed, the op says how many retries and how long to wait."""

import dagdeck as dg


def call_flaky_service(attempt: int) -> str:
    if attempt < 2:
        raise ConnectionError(f"service unavailable (attempt {attempt + 1})")
    return "pong"


@dg.op
def ping_service(context: dg.OpExecutionContext) -> str:
    try:
        return call_flaky_service(context.retry_number)
    except ConnectionError as e:
        raise dg.RetryRequested(max_retries=3, seconds_to_wait=0.05) from e


@dg.op
def never_ready() -> str:
    raise dg.RetryRequested(max_retries=1)


@dg.job
def ping_job():
    ping_service()


@dg.job
def impatient_job():
    never_ready()


defs = dg.Definitions(jobs=[ping_job, impatient_job])
