"""A sensor returning `dg.SensorResult` with run requests and a new cursor, as Dagster's sensor
docs write it for a directory of new files."""

import dagdeck as dg


@dg.op(config_schema={"batch": str})
def process_batch(context: dg.OpExecutionContext) -> str:
    return context.op_config["batch"]


@dg.job
def batch_job():
    process_batch()


BATCHES = ["b1", "b2", "b3"]


@dg.sensor(job=batch_job)
def batch_sensor(context: dg.SensorEvaluationContext):
    seen = int(context.cursor) if context.cursor else 0
    new = BATCHES[seen:]
    if not new:
        return dg.SensorResult(skip_reason="no new batches")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=b, run_config={"ops": {"process_batch": {"config": {"batch": b}}}})
            for b in new
        ],
        cursor=str(len(BATCHES)),
    )


defs = dg.Definitions(jobs=[batch_job], sensors=[batch_sensor])
