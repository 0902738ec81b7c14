"""Success and failure hooks: per job, per op invocation, on graphs turned into jobs, and a hook
that raises, through the CLI."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli, cli_run, pipeline, run_record, stored_op_output


def _hook_events(record) -> list[tuple[str, str | None, str]]:
    return [
        (e.event_type, e.step_key, e.data.get("hook"))
        for e in record.events
        if e.event_type.startswith("HOOK_")
    ]


def _logs(record) -> list[tuple[str | None, str | None, str]]:
    return [(e.step_key, e.level, e.message) for e in record.events if e.event_type == "LOG"]


def test_job_hooks_with_resources(tmp_path: Path) -> None:
    """Dagster 1.13.28: `nightly_job` fails (transform). notify_success posts "ok job=nightly_job
    op=extract step=extract outputs={'result': 3} run=<run id>" and the same for report with
    outputs {'result': '3 rows'}; notify_failure runs once, after transform's last attempt (not
    after the retry), and sees the ValueError: "failed op=transform error=ValueError: cannot
    transform 3 rows". Each step records HOOK_COMPLETED for the hook that ran and HOOK_SKIPPED
    for the other; transform's retry (STEP_UP_FOR_RETRY) also records HOOK_SKIPPED for both."""
    home = tmp_path / "home"
    alerts = tmp_path / "alerts.txt"
    run = cli_run(
        pipeline("runtime_hooks"), "job", "run", "nightly_job", home=home, env={"ALERTS_FILE": str(alerts)}
    )
    assert run.status == "FAILURE"
    assert run.steps == {"extract": "succeeded", "transform": "failed", "report": "succeeded"}
    run_id = run.doc["run_id"]
    assert sorted(alerts.read_text().splitlines()) == [
        "failed op=transform error=ValueError: cannot transform 3 rows",
        f"ok job=nightly_job op=extract step=extract outputs={{'result': 3}} run={run_id}",
        f"ok job=nightly_job op=report step=report outputs={{'result': '3 rows'}} run={run_id}",
    ]
    events = _hook_events(run_record(home, run_id))
    assert sorted(e for e in events if e[1] == "transform") == [
        ("HOOK_COMPLETED", "transform", "notify_failure"),
        ("HOOK_SKIPPED", "transform", "notify_failure"),
        ("HOOK_SKIPPED", "transform", "notify_success"),
        ("HOOK_SKIPPED", "transform", "notify_success"),
    ]
    assert sorted(e for e in events if e[1] == "extract") == [
        ("HOOK_COMPLETED", "extract", "notify_success"),
        ("HOOK_SKIPPED", "extract", "notify_failure"),
    ]


def test_op_with_hooks_and_named_hooks(tmp_path: Path) -> None:
    """Dagster 1.13.28: `prices_job` fails (publish). load_prices has no hooks (no hook events).
    average.with_hooks({announce}) logs "average finished with 2.0" at INFO and records
    HOOK_COMPLETED for "announce"; publish.with_hooks({page_oncall, announce}) fails with
    ConnectionError, so page_oncall logs "paging on-call: publish failed: dashboard unreachable"
    at ERROR (HOOK_COMPLETED) and announce is HOOK_SKIPPED."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_op_hooks"), "job", "run", "prices_job", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"load_prices": "succeeded", "average": "succeeded", "publish": "failed"}
    record = run_record(home, run.doc["run_id"])
    assert sorted(_hook_events(record)) == [
        ("HOOK_COMPLETED", "average", "announce"),
        ("HOOK_COMPLETED", "publish", "page_oncall"),
        ("HOOK_SKIPPED", "publish", "announce"),
    ]
    assert ("average", "INFO", "average finished with 2.0") in _logs(record)
    assert ("publish", "ERROR", "paging on-call: publish failed: dashboard unreachable") in _logs(record)


def test_hook_that_raises_never_fails_the_run(tmp_path: Path) -> None:
    """Dagster 1.13.28: `fragile_job` succeeds although broken_notifier raises: compute's
    STEP_SUCCESS is followed by HOOK_ERRORED (error "RuntimeError: notifier is down") and audit's
    HOOK_COMPLETED; the op's output 1 is stored."""
    file = pipeline("runtime_hook_errors")
    home = tmp_path / "home"
    run = cli_run(file, "job", "run", "fragile_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {"compute": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert sorted(_hook_events(record)) == [
        ("HOOK_COMPLETED", "compute", "audit"),
        ("HOOK_ERRORED", "compute", "broken_notifier"),
    ]
    (errored,) = [e for e in record.events if e.event_type == "HOOK_ERRORED"]
    assert errored.data["error"] == "RuntimeError: notifier is down"
    assert 'raise RuntimeError("notifier is down")' in errored.data["traceback"]
    assert ("compute", "INFO", "audited compute") in _logs(record)
    logs = cli(file, "runs", "logs", run.doc["run_id"], home=home)
    assert logs.returncode == 0, logs.stderr
    assert 'hook "broken_notifier" failed for step compute' in logs.stdout
    assert "RuntimeError: notifier is down" in logs.stdout


def test_graph_to_job_with_hooks_and_op_retry_policy(tmp_path: Path) -> None:
    """Dagster 1.13.28: `ingest_job` (ingest.to_job(hooks={log_failure},
    op_retry_policy=RetryPolicy(max_retries=1), tags={source: mirror})) fails: download is retried
    once and succeeds; parse fails twice and then log_failure logs "parse gave up: cannot parse
    'payload'" at WARNING (HOOK_COMPLETED); every other attempt records HOOK_SKIPPED for
    log_failure (download's retry and success, parse's retry); the run is tagged source=mirror."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_graph_job"), "job", "run", "ingest_job", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"download": "succeeded", "parse": "failed"}
    assert {s["key"]: s["attempts"] for s in run.doc["steps"]} == {"download": 2, "parse": 2}
    record = run_record(home, run.doc["run_id"])
    assert ("parse", "WARNING", "parse gave up: cannot parse 'payload'") in _logs(record)
    assert sorted(_hook_events(record)) == [
        ("HOOK_COMPLETED", "parse", "log_failure"),
        ("HOOK_SKIPPED", "download", "log_failure"),
        ("HOOK_SKIPPED", "download", "log_failure"),
        ("HOOK_SKIPPED", "parse", "log_failure"),
    ]


def test_hook_decorating_a_job(tmp_path: Path) -> None:
    """Dagster 1.13.28: `@log_done` above `@job` makes a JobDefinition whose hook_defs are
    [log_done]; `decorated_job` succeeds, both ops record HOOK_COMPLETED for log_done and log
    "done: one" / "done: two" at INFO; outputs 1 and 2."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_hook_decorator"), "job", "run", "decorated_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"one": "succeeded", "two": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert sorted(_hook_events(record)) == [
        ("HOOK_COMPLETED", "one", "log_done"),
        ("HOOK_COMPLETED", "two", "log_done"),
    ]
    assert [m for m in _logs(record) if m[2].startswith("done:")] == [
        ("one", "INFO", "done: one"),
        ("two", "INFO", "done: two"),
    ]
    assert stored_op_output(home, run.doc["run_id"], "two") == 2
