"""Dagster's `build_*_context` builders and direct calls of ops, assets, schedules, sensors and hooks."""

from __future__ import annotations

import datetime
from pathlib import Path

from compat_helpers import cli_run, pipeline, pipeline_module

import dagdeck as dg


def test_op_called_with_build_op_context(tmp_path: Path) -> None:
    """Dagster 1.13.28: greeting(build_op_context(op_config={"name": "ada"}, resources={"greeter":
    Greeter(punctuation=".")})) returns "hello ada."; the job runs with the Definitions' greeter
    (punctuation "?")."""
    ctx = pipeline_module("testing_contexts")
    context = dg.build_op_context(
        op_config={"name": "ada"}, resources={"greeter": ctx.Greeter(punctuation=".")}
    )
    assert ctx.greeting(context) == "hello ada."

    run = cli_run(
        pipeline("testing_contexts"),
        "job",
        "run",
        "greeting_job",
        "--config",
        '{"ops": {"greeting": {"config": {"name": "cli"}}}}',
        home=tmp_path / "home",
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"greeting": "succeeded"}


def test_asset_called_with_build_asset_context() -> None:
    """Dagster 1.13.28: welcome_banner(build_asset_context(resources={"greeter": Greeter()})) returns
    "HELLO BANNER!"."""
    ctx = pipeline_module("testing_contexts")
    assert ctx.welcome_banner(dg.build_asset_context(resources={"greeter": ctx.Greeter()})) == "HELLO BANNER!"


def test_schedule_called_with_build_schedule_context() -> None:
    """Dagster 1.13.28: weekly_greeting(build_schedule_context(scheduled_execution_time=2024-05-06
    09:00)) returns a RunRequest with run_key "2024-05-06" and the name in its run config."""
    ctx = pipeline_module("testing_contexts")
    when = datetime.datetime(2024, 5, 6, 9)
    request = ctx.weekly_greeting(dg.build_schedule_context(scheduled_execution_time=when))
    assert request.run_key == "2024-05-06"
    assert request.run_config == {"ops": {"greeting": {"config": {"name": "2024-05-06"}}}}


def test_sensor_called_with_build_sensor_context() -> None:
    """Dagster 1.13.28: name_sensor(build_sensor_context(cursor="1")) returns run_key "name-2" and
    moves the context's cursor to "2"; with cursor "2" it returns a SkipReason."""
    ctx = pipeline_module("testing_contexts")
    context = dg.build_sensor_context(cursor="1")
    request = ctx.name_sensor(context)
    assert request.run_key == "name-2"
    assert context.cursor == "2"
    assert isinstance(ctx.name_sensor(dg.build_sensor_context(cursor="2")), dg.SkipReason)


def test_hook_called_with_build_hook_context() -> None:
    """Dagster 1.13.28: note_success(build_hook_context(op=greeting)) returns "greeting succeeded"."""
    ctx = pipeline_module("testing_contexts")
    assert ctx.note_success(dg.build_hook_context(op=ctx.greeting)) == "greeting succeeded"
