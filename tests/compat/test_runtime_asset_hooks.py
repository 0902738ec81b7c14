"""Hooks and retries on assets: `@asset(hooks=)`, `define_asset_job(hooks=, op_retry_policy=)`."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, pipeline, run_record


def _hook_events(record) -> list[tuple[str, str | None, str]]:
    return sorted(
        (e.event_type, e.step_key, e.data.get("hook"))
        for e in record.events
        if e.event_type.startswith("HOOK_")
    )


def _logs(record) -> list[tuple[str | None, str | None, str]]:
    return [(e.step_key, e.level, e.message) for e in record.events if e.event_type == "LOG"]


def test_asset_job_hooks_and_op_retry_policy(tmp_path: Path) -> None:
    """Dagster 1.13.28: `orders_job` fails (order_report). raw_orders takes the job's
    op_retry_policy: one STEP_UP_FOR_RETRY, success on attempt 2, then record_success logs
    "materialized raw_orders in orders_job: {'result': [5, 0, 7]}". cleaned_orders runs its own
    check_size hook ("cleaned_orders has 2 rows") and the job's record_success. order_report fails
    twice, then record_failure logs "order_report failed in orders_job: report template missing"
    at ERROR. Every hook not triggered by an attempt's outcome (retries included) is HOOK_SKIPPED."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_asset_hooks"), "job", "run", "orders_job", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"raw_orders": "succeeded", "cleaned_orders": "succeeded", "order_report": "failed"}
    assert {s["key"]: s["attempts"] for s in run.doc["steps"]} == {
        "raw_orders": 2,
        "cleaned_orders": 1,
        "order_report": 2,
    }
    record = run_record(home, run.doc["run_id"])
    logs = _logs(record)
    assert ("raw_orders", "INFO", "materialized raw_orders in orders_job: {'result': [5, 0, 7]}") in logs
    assert ("cleaned_orders", "INFO", "cleaned_orders has 2 rows") in logs
    assert ("cleaned_orders", "INFO", "materialized cleaned_orders in orders_job: {'result': [5, 7]}") in logs
    assert ("order_report", "ERROR", "order_report failed in orders_job: report template missing") in logs
    assert _hook_events(record) == sorted(
        [
            ("HOOK_SKIPPED", "raw_orders", "record_failure"),
            ("HOOK_SKIPPED", "raw_orders", "record_success"),
            ("HOOK_SKIPPED", "raw_orders", "record_failure"),
            ("HOOK_COMPLETED", "raw_orders", "record_success"),
            ("HOOK_SKIPPED", "cleaned_orders", "record_failure"),
            ("HOOK_COMPLETED", "cleaned_orders", "check_size"),
            ("HOOK_COMPLETED", "cleaned_orders", "record_success"),
            ("HOOK_SKIPPED", "order_report", "record_failure"),
            ("HOOK_SKIPPED", "order_report", "record_success"),
            ("HOOK_COMPLETED", "order_report", "record_failure"),
            ("HOOK_SKIPPED", "order_report", "record_success"),
        ]
    )


def test_asset_hook_runs_on_materialize(tmp_path: Path) -> None:
    """Dagster 1.13.28: after `orders_job` stored raw_orders, materializing only cleaned_orders
    succeeds and runs just its own hook: one HOOK_COMPLETED for check_size, no job hooks."""
    home = tmp_path / "home"
    file = pipeline("runtime_asset_hooks")
    cli_run(file, "job", "run", "orders_job", home=home)
    run = cli_run(file, "materialize", "--select", "cleaned_orders", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"cleaned_orders": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert _hook_events(record) == [("HOOK_COMPLETED", "cleaned_orders", "check_size")]
    assert ("cleaned_orders", "INFO", "cleaned_orders has 2 rows") in _logs(record)
