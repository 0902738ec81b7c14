"""`Failure` raised on purpose, and tags and metadata on jobs and op invocations."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, load, pipeline, run_record

from dagdeck.core.running.plan_job import plan_job


def _failure_event(record, step: str):
    (event,) = [e for e in record.events if e.event_type == "STEP_FAILURE" and e.step_key == step]
    return event


def test_failure_description_and_metadata(tmp_path: Path) -> None:
    """Dagster 1.13.28: `validate_job` fails; validate_rows' STEP_FAILURE carries the error
    "Failure: 3 rows failed validation" and user failure data with description "3 rows failed
    validation" and metadata bad_rows=3 (int), table="orders" (text)."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_failure"), "job", "run", "validate_job", home=home)
    assert run.returncode != 0
    assert run.status == "FAILURE"
    (step,) = run.doc["steps"]
    assert (step["status"], step["attempts"], step["error"]) == ("failed", 1, "3 rows failed validation")
    event = _failure_event(run_record(home, run.doc["run_id"]), "validate_rows")
    metadata = {k: v["value"] for k, v in event.data["metadata"].items()}
    assert metadata == {"bad_rows": 3, "table": "orders"}
    assert event.data["metadata"]["bad_rows"]["type"] != event.data["metadata"]["table"]["type"]


def test_failure_allow_retries_false_skips_the_policy(tmp_path: Path) -> None:
    """Dagster 1.13.28: in `api_job`, call_api (RetryPolicy max_retries=3) raises
    Failure(allow_retries=False): one attempt, no STEP_UP_FOR_RETRY, STEP_FAILURE with description
    "the API answered 401: bad credentials". call_busy_api raises a plain Failure under
    RetryPolicy(max_retries=2): retried twice, 3 attempts, then STEP_FAILURE whose user failure
    data has description "the API answered 503"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_failure"), "job", "run", "api_job", home=home)
    assert run.status == "FAILURE"
    steps = {s["key"]: (s["status"], s["attempts"], s["error"]) for s in run.doc["steps"]}
    assert steps == {
        "call_api": ("failed", 1, "the API answered 401: bad credentials"),
        "call_busy_api": ("failed", 3, "the API answered 503"),
    }
    record = run_record(home, run.doc["run_id"])
    assert "STEP_UP_FOR_RETRY" not in record.event_types("call_api")
    assert record.event_types("call_busy_api").count("STEP_UP_FOR_RETRY") == 2


def test_job_tags_metadata_and_op_tag(tmp_path: Path) -> None:
    """Dagster 1.13.28: `tagged_job` succeeds and its run carries tags owner=analytics,
    priority=high; job.tags is that dict and job.metadata holds docs and sla_hours=4. Node tags:
    read_table {team: data, kind: extract, source: postgres} (`.tag` adds to the op's tags),
    count_rows (count aliased) {team: ml}, read_backup {team: ops, kind: extract} (`.tag`
    overrides a same-named tag); the aliased nodes keep their op's name."""
    file = pipeline("runtime_tags")
    home = tmp_path / "home"
    run = cli_run(file, "job", "run", "tagged_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"read_table": "succeeded", "count_rows": "succeeded", "read_backup": "succeeded"}
    from dagdeck.core.instance import Instance

    instance = Instance.open(home)
    try:
        tags = instance.store.get_run(run.doc["run_id"]).tags
    finally:
        instance.close()
    assert {k: tags[k] for k in ("owner", "priority")} == {"owner": "analytics", "priority": "high"}

    defs = load(file)
    job = defs.op_jobs["tagged_job"]
    assert job.tags == {"owner": "analytics", "priority": "high"}
    assert job.metadata == {"docs": "https://wiki.example.com/etl", "sla_hours": 4}
    plan = plan_job(defs, "tagged_job")
    assert plan.steps["read_table"].tags == {"team": "data", "kind": "extract", "source": "postgres"}
    assert plan.steps["count_rows"].tags == {"team": "ml"}
    assert plan.steps["read_backup"].tags == {"team": "ops", "kind": "extract"}
    assert plan.steps["read_backup"].op_name == "read_table"
    assert plan.steps["count_rows"].op_name == "count"
