"""A run failure sensor whose alert channel is down the first time it is called (a marker file
stands in for the outage): the alert for that failed run must be retried, not lost."""

import os
from pathlib import Path

import dagdeck as dg


@dg.op
def load_table():
    raise Exception("table locked")


@dg.job
def load_job():
    load_table()


@dg.run_failure_sensor(monitored_jobs=[load_job], default_status=dg.DefaultSensorStatus.RUNNING)
def alert_with_outage(context: dg.RunFailureSensorContext):
    alerts = Path(os.environ.get("ALERTS_FILE", "alerts.log"))
    outage = alerts.with_suffix(".outage")
    if not outage.exists():
        outage.write_text("down")
        raise ConnectionError("alert channel unavailable")
    with alerts.open("a") as out:
        out.write(f"{context.dagster_run.run_id}\n")


defs = dg.Definitions(jobs=[load_job], sensors=[alert_with_outage])
