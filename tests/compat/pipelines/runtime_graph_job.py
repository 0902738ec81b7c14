"""A graph turned into a job with `to_job(hooks=, op_retry_policy=, tags=)`."""

import dagdeck as dg


@dg.failure_hook
def log_failure(context: dg.HookContext):
    context.log.warning(f"{context.op.name} gave up: {context.op_exception}")


@dg.op
def download(context: dg.OpExecutionContext) -> str:
    if context.retry_number < 1:
        raise ConnectionError("mirror offline")
    return "payload"


@dg.op
def parse(payload: str) -> dict:
    raise ValueError(f"cannot parse {payload!r}")


@dg.graph
def ingest():
    parse(download())


ingest_job = ingest.to_job(
    name="ingest_job",
    hooks={log_failure},
    op_retry_policy=dg.RetryPolicy(max_retries=1),
    tags={"source": "mirror"},
)

defs = dg.Definitions(jobs=[ingest_job])
