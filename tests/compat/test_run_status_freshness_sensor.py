"""`build_sensor_for_freshness_checks`: when it requests a run of the freshness checks, when it
skips, and the run it launches through `dagdeck sensors tick --launch`."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType

from compat_helpers import RunRecord, cli_run, pipeline, run_record

import dagdeck as dg

SKIP_MESSAGE = (
    "No freshness checks need to be evaluated at this time, since all checks are either "
    "currently evaluating, have failed, or are not yet overdue."
)


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("freshness_sensor_pipeline", pipeline("run_status_freshness_sensor"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finished(home: Path, run_id: str) -> RunRecord:
    """The run once it has ended (the tick leaves it to the launcher's worker)."""
    deadline = time.monotonic() + 120
    while True:
        record = run_record(home, run_id)
        if record.status in {"SUCCESS", "FAILURE", "CANCELED"} or time.monotonic() > deadline:
            return record
        time.sleep(0.1)


def test_sensor_defaults() -> None:
    """Dagster 1.13.28: the sensor is named freshness_checks_sensor, ticks every 30 s and is
    defined stopped."""
    sensor = _module().freshness_sensor
    assert sensor.name == "freshness_checks_sensor"
    assert sensor.minimum_interval_seconds == 30
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_requests_checks_never_evaluated() -> None:
    """Dagster 1.13.28: on an empty instance the sensor returns RunRequest(asset_check_keys=
    [AssetCheckKey(orders, "freshness_check")]) with no job and no asset selection."""
    m = _module()
    request = m.freshness_sensor(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral()))
    assert isinstance(request, dg.RunRequest)
    assert request.asset_check_keys == [dg.AssetCheckKey(dg.AssetKey("orders"), "freshness_check")]
    assert request.asset_selection is None and request.job_name is None


def test_skips_a_check_that_passed_and_cannot_be_overdue_yet() -> None:
    """Dagster 1.13.28: after materialize([orders, *checks]) the check passed with
    dagster/fresh_until_timestamp an hour ahead; the sensor returns SkipReason with the message
    "No freshness checks need to be evaluated at this time, ..."."""
    m = _module()
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([m.orders, *m.orders_freshness], instance=instance).success
    result = m.freshness_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(result, dg.SkipReason)
    assert result.skip_message == SKIP_MESSAGE


def test_failed_check_waits_for_a_new_materialization() -> None:
    """Dagster 1.13.28: a check that failed (orders never materialized) is skipped ("previously
    failed, but the asset has not been updated since the last evaluation"); once orders is
    materialized without the checks, the sensor requests the check again."""
    m = _module()
    instance = dg.DagsterInstance.ephemeral()
    checks_only = dg.materialize(
        [m.orders, *m.orders_freshness], instance=instance, selection=dg.AssetSelection.checks(*m.orders_freshness)
    )
    assert checks_only.success
    assert isinstance(m.freshness_sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    assert dg.materialize([m.orders], instance=instance).success
    again = m.freshness_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(again, dg.RunRequest)
    assert again.asset_check_keys == [dg.AssetCheckKey(dg.AssetKey("orders"), "freshness_check")]


def test_tick_launches_a_run_of_the_checks_alone(tmp_path: Path) -> None:
    """Dagster 1.13.28: the requested run evaluates only the freshness check (no orders step);
    orders was never materialized, so it fails with "Asset has never been observed/materialized."
    and the run succeeds (a WARN check)."""
    file, home = pipeline("run_status_freshness_sensor"), tmp_path / "home"
    tick = cli_run(file, "sensors", "tick", "freshness_checks_sensor", "--launch", home=home)
    assert tick.returncode == 0, tick.stderr
    (run_id,) = tick.doc["run_ids"]
    record = _finished(home, run_id)
    assert record.status == "SUCCESS"
    assert "orders" not in record.steps
    (evaluation,) = [e for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"]
    assert evaluation.data["check_name"] == "freshness_check" and evaluation.data["passed"] is False
    assert evaluation.data["description"] == "Asset has never been observed/materialized."
    second = cli_run(file, "sensors", "tick", "freshness_checks_sensor", home=home)
    assert second.doc["requests"] == [] and second.doc["skip_reason"] == SKIP_MESSAGE
