"""Job-wide success and failure hooks that post to an alerting resource, as Dagster's "Op hooks"
guide writes them (a file stands in for Slack)."""

import os

import dagdeck as dg


class AlertLog:
    """Stands in for a Slack client: appends each message to a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def post(self, text: str) -> None:
        with open(self.path, "a") as f:
            f.write(text + "\n")


@dg.success_hook(required_resource_keys={"alerts"})
def notify_success(context: dg.HookContext):
    context.resources.alerts.post(
        f"ok job={context.job_name} op={context.op.name} step={context.step_key} "
        f"outputs={context.op_output_values} run={context.run_id}"
    )


@dg.failure_hook(required_resource_keys={"alerts"})
def notify_failure(context: dg.HookContext):
    error = context.op_exception
    context.resources.alerts.post(f"failed op={context.op.name} error={type(error).__name__}: {error}")


@dg.op
def extract() -> int:
    return 3


@dg.op(retry_policy=dg.RetryPolicy(max_retries=1))
def transform(rows: int) -> int:
    raise ValueError(f"cannot transform {rows} rows")


@dg.op
def report(rows: int) -> str:
    return f"{rows} rows"


@dg.job(hooks={notify_success, notify_failure})
def nightly_job():
    rows = extract()
    transform(rows)
    report(rows)


defs = dg.Definitions(
    jobs=[nightly_job],
    resources={"alerts": AlertLog(os.environ.get("ALERTS_FILE", "alerts.txt"))},
)
