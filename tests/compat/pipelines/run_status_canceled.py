"""A run status sensor for canceled runs: it records who canceled which run of the backfill job,
so an operator's cancel shows up in the team's log (`ALERTS_FILE`)."""

import os

import dagdeck as dg


@dg.op
def rebuild_partition():
    return "rebuilt"


@dg.job
def backfill_job():
    rebuild_partition()


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.CANCELED,
    monitored_jobs=[backfill_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def note_cancellations(context: dg.RunStatusSensorContext):
    with open(os.environ.get("ALERTS_FILE", "canceled.log"), "a") as out:
        out.write(
            f"{context.dagster_run.run_id} {context.dagster_run.status.value} {context.dagster_event.event_type_value}\n"
        )


defs = dg.Definitions(jobs=[backfill_job], sensors=[note_cancellations])
