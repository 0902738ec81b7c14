"""A run status sensor that launches a report job each time the ingest job succeeds (Dagster's
"cross-job dependency" example), passing the finished run's id in the run config."""

import dagdeck as dg


@dg.op
def ingest():
    return [1, 2, 3]


@dg.job
def ingest_job():
    ingest()


class ReportConfig(dg.Config):
    upstream_run_id: str


@dg.op
def build_report(config: ReportConfig):
    return f"report for {config.upstream_run_id}"


@dg.job
def report_job():
    build_report()


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=report_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def report_after_ingest(context: dg.RunStatusSensorContext):
    return dg.RunRequest(
        run_key=context.dagster_run.run_id,
        run_config={"ops": {"build_report": {"config": {"upstream_run_id": context.dagster_run.run_id}}}},
        tags={"upstream_job": context.dagster_run.job_name},
    )


defs = dg.Definitions(jobs=[ingest_job, report_job], sensors=[report_after_ingest])
