"""A run failure sensor without `monitored_jobs`: it watches every job of the code location,
asset jobs included, and counts the failures per job in a JSON file named by `ALERTS_FILE`."""

import json
import os
from pathlib import Path

import dagdeck as dg


@dg.asset
def orders():
    raise ValueError("orders API returned 503")


orders_job = dg.define_asset_job("orders_job", selection=[orders])


@dg.op
def check_disk():
    raise RuntimeError("disk full")


@dg.job
def maintenance():
    check_disk()


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING)
def count_failures(context: dg.RunFailureSensorContext):
    path = Path(os.environ.get("ALERTS_FILE", "failures.json"))
    counts = json.loads(path.read_text()) if path.exists() else {}
    job = context.instance.get_run_by_id(context.dagster_run.run_id).job_name
    counts[job] = counts.get(job, 0) + 1
    path.write_text(json.dumps(counts, sort_keys=True))


defs = dg.Definitions(assets=[orders], jobs=[orders_job, maintenance], sensors=[count_failures])
