"""Step retries as Dagster runs them: RetryPolicy with backoff and jitter, RetryRequested raised
by the op, `job(op_retry_policy=)` and `op.with_retry_policy(...)`, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, run_record, stored_op_output

import dagdeck as dg


def _waits(record, step: str) -> list[float]:
    return [
        e.data["wait_s"] for e in record.events if e.event_type == "STEP_UP_FOR_RETRY" and e.step_key == step
    ]


def test_retry_policy_backoff_and_jitter(tmp_path: Path) -> None:
    """Dagster 1.13.28: `fetch_job` succeeds. fetch_orders (EXPONENTIAL, delay 0.05) fails twice
    and is retried in 0.05 then 0.15 seconds ((2**n - 1) * delay), succeeding on attempt 3 with 42;
    fetch_customers (LINEAR) retries in 0.05 then 0.1 (n * delay) and returns 7; fetch_products
    (Jitter.FULL) retries once after a random wait in [0, 0.05] and returns 3; combine returns 52."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_retry_policy"), "job", "run", "fetch_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == dict.fromkeys(
        ["fetch_customers", "fetch_orders", "fetch_products", "combine"], "succeeded"
    )
    attempts = {s["key"]: s["attempts"] for s in run.doc["steps"]}
    assert attempts == {"fetch_orders": 3, "fetch_customers": 3, "fetch_products": 2, "combine": 1}
    record = run_record(home, run.doc["run_id"])
    assert _waits(record, "fetch_orders") == pytest.approx([0.05, 0.15])
    assert _waits(record, "fetch_customers") == pytest.approx([0.05, 0.10])
    (jittered,) = _waits(record, "fetch_products")
    assert 0.0 <= jittered <= 0.05
    assert stored_op_output(home, run.doc["run_id"], "fetch_orders") == 42
    assert stored_op_output(home, run.doc["run_id"], "combine") == 52


def test_retry_policy_exhausted_fails_the_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: `broken_job` fails; broken_feed (max_retries=2, no delay) runs 3 times,
    with two STEP_UP_FOR_RETRY events, then STEP_FAILURE caused by `ValueError: the feed is gone`."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_retry_policy"), "job", "run", "broken_job", home=home)
    assert run.returncode != 0
    assert run.status == "FAILURE"
    (step,) = run.doc["steps"]
    assert (step["status"], step["attempts"], step["error"]) == ("failed", 3, "ValueError: the feed is gone")
    record = run_record(home, run.doc["run_id"])
    assert record.event_types("broken_feed").count("STEP_UP_FOR_RETRY") == 2
    assert _waits(record, "broken_feed") == [0.0, 0.0]


def test_retry_requested_without_a_policy(tmp_path: Path) -> None:
    """Dagster 1.13.28: `ping_job` succeeds; ping_service raises RetryRequested(max_retries=3,
    seconds_to_wait=0.05) from a ConnectionError twice (each a STEP_UP_FOR_RETRY "in 0.05
    seconds") and returns "pong" on attempt 3."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_retry_requested"), "job", "run", "ping_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"ping_service": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert _waits(record, "ping_service") == pytest.approx([0.05, 0.05])
    retries = [e for e in record.events if e.event_type == "STEP_UP_FOR_RETRY"]
    assert retries[0].data["error"] == "ConnectionError: service unavailable (attempt 1)"
    assert stored_op_output(home, run.doc["run_id"], "ping_service") == "pong"


def test_retry_requested_beyond_its_max_retries_fails(tmp_path: Path) -> None:
    """Dagster 1.13.28: `impatient_job` fails; never_ready raises RetryRequested(max_retries=1) on
    both attempts: one STEP_UP_FOR_RETRY, then STEP_FAILURE "Exceeded max_retries of 1"."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_retry_requested"), "job", "run", "impatient_job", home=home)
    assert run.status == "FAILURE"
    (step,) = run.doc["steps"]
    assert (step["status"], step["attempts"]) == ("failed", 2)
    assert "exceeded max_retries of 1" in step["error"]
    assert run_record(home, run.doc["run_id"]).event_types("never_ready").count("STEP_UP_FOR_RETRY") == 1


def test_job_op_retry_policy_and_with_retry_policy(tmp_path: Path) -> None:
    """Dagster 1.13.28: `etl_job` fails only because of load_once. extract has no policy and takes
    the job's op_retry_policy (max_retries=2): 3 attempts, returns 10. load_once keeps its own
    RetryPolicy(max_retries=0): one attempt, then STEP_FAILURE. transform is invoked with
    with_retry_policy(max_retries=1): 2 attempts, returns 5."""
    home = tmp_path / "home"
    run = cli_run(pipeline("runtime_job_retry_policy"), "job", "run", "etl_job", home=home)
    assert run.status == "FAILURE"
    assert run.steps == {"extract": "succeeded", "load_once": "failed", "transform": "succeeded"}
    attempts = {s["key"]: s["attempts"] for s in run.doc["steps"]}
    assert attempts == {"extract": 3, "load_once": 1, "transform": 2}
    assert stored_op_output(home, run.doc["run_id"], "extract") == 10
    assert stored_op_output(home, run.doc["run_id"], "transform") == 5


def test_retry_policy_arguments_are_checked() -> None:
    """Dagster 1.13.28: RetryPolicy(backoff=Backoff.EXPONENTIAL) without a delay raises
    DagsterInvalidDefinitionError and backoff=2.0 raises ParameterCheckError ("not a Backoff");
    the delay formulas give, for delay=1: LINEAR 1, 2, 3 and
    EXPONENTIAL 1, 3, 7 for attempts 1, 2, 3; no backoff gives 1 each time."""
    with pytest.raises(dg.DefinitionError, match="no delay"):
        dg.RetryPolicy(max_retries=2, backoff=dg.Backoff.EXPONENTIAL)
    with pytest.raises(dg.DefinitionError, match="backoff must be"):
        dg.RetryPolicy(max_retries=2, delay=1, backoff=2.0)  # type: ignore[arg-type]
    linear = dg.RetryPolicy(max_retries=3, delay=1, backoff=dg.Backoff.LINEAR)
    exponential = dg.RetryPolicy(max_retries=3, delay=1, backoff=dg.Backoff.EXPONENTIAL)
    assert [linear.wait_before(n) for n in (1, 2, 3)] == [1, 2, 3]
    assert [exponential.wait_before(n) for n in (1, 2, 3)] == [1, 3, 7]
    assert dg.RetryPolicy(max_retries=3, delay=1).wait_before(3) == 1
    plus_minus = dg.RetryPolicy(delay=1, backoff=dg.Backoff.LINEAR, jitter=dg.Jitter.PLUS_MINUS)
    assert all(1 <= plus_minus.wait_before(2) <= 3 for _ in range(50))
