"""Run-status sensors (`@run_failure_sensor`, `@run_status_sensor`) as Dagster's alerting docs
write them, evaluated by dagdeck's daemon after runs started with the CLI.

Dagster's side was observed with `sensor.evaluate_tick(build_sensor_context(instance=...,
cursor=..., repository_def=...))` after `execute_in_process` runs on one instance, which is what its
sensor daemon calls each tick.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from compat_helpers import cli, cli_run, load, pipeline, pipeline_module

import dagdeck as dg
from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.loader import load as load_location
from dagdeck.core.defs.run_status_sensors import RunEndEvent
from dagdeck.core.instance import Instance
from dagdeck.core.statuses import RunStatus

WAIT = 60.0
DEADLINE = 240.0


class SteppedDaemon:
    """A daemon on the test's home whose clock the test moves past each sensor's interval, so
    every `tick()` evaluates every sensor once."""

    def __init__(self, file: Path, home: Path, *, run_queue: bool = False) -> None:
        self.instance = Instance.open(home)
        self.clock = time.time()
        loaded = load_location(CodeLocation(file=str(file)))
        self.daemon = Daemon(
            self.instance, loaded, now=lambda: self.clock, watch_files=False, run_queue=run_queue
        )

    def tick(self) -> None:
        self.clock += 31
        self.daemon.run_once(wait=WAIT)

    def close(self) -> None:
        self.daemon.stop()
        self.instance.close()


@pytest.fixture
def alerts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "alerts.out"
    monkeypatch.setenv("ALERTS_FILE", str(path))
    return path


@pytest.fixture
def stepped(tmp_path: Path) -> Iterator[list[SteppedDaemon]]:
    made: list[SteppedDaemon] = []
    yield made
    for d in made:
        d.close()


def _daemon(stepped: list[SteppedDaemon], name: str, home: Path, run_queue: bool = False) -> SteppedDaemon:
    d = SteppedDaemon(pipeline(name), home, run_queue=run_queue)
    stepped.append(d)
    d.tick()  # the first tick starts the cursor: runs that ended before are not reported
    return d


def test_failure_sensor_reports_each_failed_run_once(
    tmp_path: Path, alerts: Path, stepped: list[SteppedDaemon]
) -> None:
    """Dagster 1.13.28: the first tick only sets the cursor ("Initiating report_failures"); after two
    failed runs of nightly_etl and one successful run of healthy_job the next tick calls the function
    twice, once per failed run (job name, run id, status FAILURE, failure_event.message
    `Execution of run for "nightly_etl" failed. Steps failed: ['flaky_extract'].`); a third tick
    calls it no more ("Sensor function returned an empty result")."""
    file, home = pipeline("run_status_failure_alert"), tmp_path / "home"
    d = _daemon(stepped, "run_status_failure_alert", home)
    first = cli_run(file, "job", "run", "nightly_etl", home=home)
    ok = cli_run(file, "job", "run", "healthy_job", home=home)
    second = cli_run(file, "job", "run", "nightly_etl", home=home)
    assert (first.status, ok.status, second.status) == ("FAILURE", "SUCCESS", "FAILURE")
    d.tick()
    lines = [line.split("\t") for line in alerts.read_text().splitlines()]
    message = "Execution of run for \"nightly_etl\" failed. Steps failed: ['flaky_extract']."
    assert lines == [
        ["nightly_etl", first.doc["run_id"], "FAILURE", message],
        ["nightly_etl", second.doc["run_id"], "FAILURE", message],
    ]
    d.tick()
    assert len(alerts.read_text().splitlines()) == 2


def test_failure_sensor_ticks_are_listed_like_other_sensors(
    tmp_path: Path, alerts: Path, stepped: list[SteppedDaemon]
) -> None:
    """Dagster 1.13.28: `report_failures` is a RunStatusSensorDefinition named after its function,
    default status RUNNING, minimum interval 30 s; each evaluation is a tick of the sensor, and the
    cursor after a failed run points past that run's failure event."""
    file, home = pipeline("run_status_failure_alert"), tmp_path / "home"
    d = _daemon(stepped, "run_status_failure_alert", home)
    cli_run(file, "job", "run", "nightly_etl", home=home)
    d.tick()
    sensor = load(file).sensors["report_failures"]
    assert isinstance(sensor, dg.RunStatusSensorDefinition)
    assert (sensor.minimum_interval_seconds, sensor.default_status) == (30, dg.DefaultSensorStatus.RUNNING)
    listed = cli(file, "sensors", "list", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["name"] == "report_failures")
    assert row["status"] == "RUNNING"
    assert "FAILURE" in json.dumps(row) and "nightly_etl" in json.dumps(row)
    ticks = d.instance.store.list_ticks("report_failures")
    assert len(ticks) == 2
    failure_events = d.instance.store.get_events(event_types=["RUN_FAILURE"])
    assert ticks[0].cursor == str(failure_events[-1].id)


def test_run_status_sensor_requests_a_run_of_request_job(
    tmp_path: Path, stepped: list[SteppedDaemon]
) -> None:
    """Dagster 1.13.28: after ingest_job succeeds, the sensor's tick returns one RunRequest for
    report_job (the sensor's job_name) with run_key = the ingest run's id, run config
    `{"ops": {"build_report": {"config": {"upstream_run_id": <id>}}}}` and tag upstream_job=ingest_job;
    the launched report run succeeds with output "report for <id>"."""
    file, home = pipeline("run_status_request_job"), tmp_path / "home"
    d = _daemon(stepped, "run_status_request_job", home, run_queue=True)
    ingest = cli_run(file, "job", "run", "ingest_job", home=home)
    assert ingest.status == "SUCCESS"
    d.tick()
    store = d.instance.store
    runs = [r for r in store.list_runs(limit=10) if r.job_name == "report_job"]
    assert len(runs) == 1
    report = runs[0]
    assert report.tags["upstream_job"] == "ingest_job"
    assert report.run_config["ops"]["build_report"]["config"] == {"upstream_run_id": ingest.doc["run_id"]}
    deadline = time.monotonic() + DEADLINE
    while store.get_run(report.run_id).status not in (RunStatus.SUCCESS, RunStatus.FAILURE):  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "report run did not finish"
        d.daemon.run_once()
        time.sleep(0.2)
    assert store.get_run(report.run_id).status == RunStatus.SUCCESS  # type: ignore[union-attr]
    from compat_helpers import stored_op_output

    assert stored_op_output(home, report.run_id, "build_report") == f"report for {ingest.doc['run_id']}"
    d.tick()  # the report run's own success is not of a monitored job: nothing more is launched
    assert len([r for r in store.list_runs(limit=10) if r.job_name == "report_job"]) == 1


def test_failure_sensor_without_monitored_jobs_watches_every_job(
    tmp_path: Path, alerts: Path, stepped: list[SteppedDaemon]
) -> None:
    """Dagster 1.13.28: without monitored_jobs the sensor is called for every failed run of the code
    location: one failed orders_job run, two failed maintenance runs and one failed ad-hoc
    materialization (Dagster names that run's job `__ephemeral_asset_job__`), each job name read
    back with `context.instance.get_run_by_id(run_id).job_name`, give the counts
    {"__ephemeral_asset_job__": 1, "maintenance": 2, "orders_job": 1}."""
    file, home = pipeline("run_status_all_jobs"), tmp_path / "home"
    d = _daemon(stepped, "run_status_all_jobs", home)
    assert cli_run(file, "job", "run", "orders_job", home=home).status == "FAILURE"
    assert cli_run(file, "job", "run", "maintenance", home=home).status == "FAILURE"
    assert cli_run(file, "job", "run", "maintenance", home=home).status == "FAILURE"
    adhoc = cli_run(file, "materialize", "--select", "orders", home=home)
    assert adhoc.status == "FAILURE"
    d.tick()
    adhoc_job = d.instance.store.get_run(adhoc.doc["run_id"]).job_name  # type: ignore[union-attr]
    assert json.loads(alerts.read_text()) == {adhoc_job: 1, "maintenance": 2, "orders_job": 1}


def test_failure_sensor_called_directly_with_a_built_context(alerts: Path) -> None:
    """Dagster 1.13.28: `build_run_status_sensor_context(sensor_name=, dagster_instance=,
    dagster_run=DagsterRun(job_name="nightly_etl", run_id="run-1", status=FAILURE), dagster_event=)`
    builds a RunStatusSensorContext with partition_key None; calling the failure sensor with it
    returns None and writes `nightly_etl\\trun-1\\tFAILURE\\tboom` (failure_event is the event)."""
    module = pipeline_module("run_status_failure_alert")
    context = dg.build_run_status_sensor_context(
        sensor_name="report_failures",
        dagster_instance=None,
        dagster_run=dg.DagsterRun(job_name="nightly_etl", run_id="run-1", status=dg.DagsterRunStatus.FAILURE),
        dagster_event=RunEndEvent(
            event_type_value="PIPELINE_FAILURE", job_name="nightly_etl", message="boom"
        ),
    )
    assert type(context).__name__ == "RunStatusSensorContext" and context.partition_key is None
    assert module.report_failures(context) is None
    assert alerts.read_text() == "nightly_etl\trun-1\tFAILURE\tboom\n"


def test_an_error_in_the_sensor_fails_the_tick_and_is_not_retried(
    tmp_path: Path, alerts: Path, stepped: list[SteppedDaemon]
) -> None:
    """Dagster 1.13.28: when the function raises for a failed run (`ConnectionError: alert channel
    unavailable`), the tick reports that error for the run and the cursor still moves past it: the
    next tick does not call the function again for that run ("Sensor function returned an empty
    result"), and the next failed run is reported normally (one line, the second run's id)."""
    file, home = pipeline("run_status_flaky_alert"), tmp_path / "home"
    d = _daemon(stepped, "run_status_flaky_alert", home)
    first = cli_run(file, "job", "run", "load_job", home=home)
    assert first.status == "FAILURE"
    d.tick()
    tick = d.instance.store.list_ticks("alert_with_outage", limit=1)[0]
    assert tick.status == "FAILURE"
    assert "ConnectionError: alert channel unavailable" in (tick.error or "")
    assert first.doc["run_id"] in (tick.error or "")
    d.tick()
    assert not alerts.exists()
    assert d.instance.store.list_ticks("alert_with_outage", limit=1)[0].status == "SKIPPED"
    second = cli_run(file, "job", "run", "load_job", home=home)
    d.tick()
    assert alerts.read_text().splitlines() == [second.doc["run_id"]]


def test_canceled_status_sensor_sees_a_canceled_run(
    tmp_path: Path, alerts: Path, stepped: list[SteppedDaemon]
) -> None:
    """Dagster 1.13.28: a successful run of backfill_job is not reported; a run canceled before it
    started has status CANCELED, and the next tick of run_status_sensor(run_status=CANCELED) calls the function once for it
    (`<run id> CANCELED PIPELINE_CANCELED`), the tick after that not again."""
    file, home = pipeline("run_status_canceled"), tmp_path / "home"
    d = _daemon(stepped, "run_status_canceled", home)
    assert cli_run(file, "job", "run", "backfill_job", home=home).status == "SUCCESS"  # not reported
    (home / "dagdeck.toml").write_text("max_concurrent_runs = 0\n")  # the next run stays QUEUED
    queued = cli(file, "job", "run", "backfill_job", "--detach", "--json", home=home)
    run_id = json.loads(queued.stdout)["run_id"]
    canceled = cli(file, "runs", "cancel", run_id, home=home)
    assert canceled.returncode == 0, canceled.stderr
    d.tick()
    d.tick()
    assert alerts.read_text().splitlines() == [f"{run_id} CANCELED PIPELINE_CANCELED"]
