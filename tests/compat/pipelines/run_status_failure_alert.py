"""A run failure sensor that appends one line per failed run to a file, as Dagster's alerting
docs do with a Slack message; `ALERTS_FILE` names the file."""

import os

import dagdeck as dg


@dg.op
def flaky_extract():
    raise Exception("source unavailable")


@dg.job
def nightly_etl():
    flaky_extract()


@dg.op
def say_ok():
    return "ok"


@dg.job
def healthy_job():
    say_ok()


@dg.run_failure_sensor(monitored_jobs=[nightly_etl], default_status=dg.DefaultSensorStatus.RUNNING)
def report_failures(context: dg.RunFailureSensorContext):
    with open(os.environ.get("ALERTS_FILE", "alerts.log"), "a") as out:
        out.write(
            f"{context.dagster_run.job_name}\t{context.dagster_run.run_id}\t"
            f"{context.dagster_run.status.value}\t{context.failure_event.message}\n"
        )


defs = dg.Definitions(jobs=[nightly_etl, healthy_job], sensors=[report_failures])
