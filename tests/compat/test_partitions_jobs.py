"""Partitioned op jobs: run config from `daily_partitioned_config` / `static_partitioned_config`,
and a schedule built from the partitioned job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from compat_helpers import cli, cli_run, load, pipeline, stored_op_output

PIPELINE = pipeline("partitions_op_job")


def test_job_run_of_a_daily_partition_gets_its_config(tmp_path: Path) -> None:
    """Dagster 1.13.28: `daily_job.execute_in_process(partition_key="2024-01-03")` succeeds;
    process_day returns "2024-01-03 (2024-01-03)" (op_config from the partitioned config and
    context.partition_key) and the run is tagged dagster/partition=2024-01-03."""
    home = tmp_path / "home"
    run = cli_run(PIPELINE, "job", "run", "daily_job", "--partition", "2024-01-03", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "process_day") == "2024-01-03 (2024-01-03)"
    result = load(PIPELINE).op_jobs["daily_job"].execute_in_process(partition_key="2024-01-03")
    assert result.output_for_node("process_day") == "2024-01-03 (2024-01-03)"
    assert result.dagster_run.tags["dagster/partition"] == "2024-01-03"


def test_static_partitioned_config_and_bad_key(tmp_path: Path) -> None:
    """Dagster 1.13.28: `country_job.execute_in_process(partition_key="de")` returns "DE";
    `daily_job.execute_in_process(partition_key="2030-01-01")` raises
    DagsterUnknownPartitionError (Could not find a partition with key `2030-01-01`)."""
    home = tmp_path / "home"
    run = cli_run(PIPELINE, "job", "run", "country_job", "--partition", "de", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "process_country") == "DE"
    bad = cli(PIPELINE, "job", "run", "country_job", "--partition", "it", home=home)
    assert bad.returncode == 2
    assert "'it'" in bad.stderr and "fr, de" in bad.stderr
    import pytest

    import dagdeck as dg

    with pytest.raises(dg.DagsterUnknownPartitionError, match="2030-01-01"):
        load(PIPELINE).op_jobs["daily_job"].execute_in_process(partition_key="2030-01-01")


def test_schedule_from_partitioned_job_requests_the_day_that_ended() -> None:
    """Dagster 1.13.28: build_schedule_from_partitioned_job(daily_job) is "daily_job_schedule",
    cron "0 0 * * *" in UTC; its tick at 2024-01-03 00:00 UTC requests partition 2024-01-02 with
    run config {"ops": {"process_day": {"config": {"date": "2024-01-02"}}}}."""
    schedule = load(PIPELINE).schedules["daily_job_schedule"]
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 0 * * *",
        "UTC",
        "daily_job",
    )
    from dagdeck.core.automation.context_builders import build_schedule_context

    request = schedule(
        build_schedule_context(scheduled_execution_time=dt.datetime(2024, 1, 3, tzinfo=dt.UTC))
    )
    assert request.partition_key == "2024-01-02"
    assert request.run_config == {"ops": {"process_day": {"config": {"date": "2024-01-02"}}}}
    assert request.tags["dagster/partition"] == "2024-01-02"


def test_job_partitions_def_gives_ops_their_time_window(tmp_path: Path) -> None:
    """Dagster 1.13.28: `@job(partitions_def=HourlyPartitionsDefinition(...))` run for partition
    2024-01-01-05:00 (tagged dagster/partition) gives its op the window "2024-01-01 05:00 to 06:00"."""
    home = tmp_path / "home"
    run = cli_run(PIPELINE, "job", "run", "hourly_job", "--partition", "2024-01-01-05:00", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "hour_window") == "2024-01-01 05:00 to 06:00"
