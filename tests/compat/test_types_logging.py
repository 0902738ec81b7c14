"""`context.log` and `get_dagster_logger()` into the run's event log (issue 13, items 2 and 6)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from compat_helpers import cli_run, pipeline, run_record

import dagdeck as dg


def _logs(home: Path, run_id: str) -> list[tuple[str | None, str | None, str]]:
    return [
        (e.level, e.step_key, e.message) for e in run_record(home, run_id).events if e.event_type == "LOG"
    ]


def test_context_log_and_dagster_logger_land_in_the_event_log(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing cleaned_orders succeeds and the run's log holds, for step
    cleaned_orders, in order: DEBUG "reading raw orders", INFO "cleaning 3 orders", WARNING "1 order has
    no customer", INFO "module logger: done cleaning" (a module-level get_dagster_logger()), ERROR
    "named logger: 1 order dropped" (get_dagster_logger("orders"))."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_logging"), "materialize", home=home)
    assert run.status == "SUCCESS", run.doc
    assert _logs(home, run.doc["run_id"]) == [
        ("DEBUG", "cleaned_orders", "reading raw orders"),
        ("INFO", "cleaned_orders", "cleaning 3 orders"),
        ("WARNING", "cleaned_orders", "1 order has no customer"),
        ("INFO", "cleaned_orders", "module logger: done cleaning"),
        ("ERROR", "cleaned_orders", "named logger: 1 order dropped"),
    ]


def test_dagster_logger_in_an_op_job(tmp_path: Path) -> None:
    """Dagster 1.13.28: count_job succeeds; its log holds INFO "counting in an op" for step
    count_orders."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_logging"), "job", "run", "count_job", home=home)
    assert run.status == "SUCCESS", run.doc
    assert _logs(home, run.doc["run_id"]) == [("INFO", "count_orders", "counting in an op")]


def test_outside_a_step_it_is_plain_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Dagster 1.13.28: get_dagster_logger() is a logging.Logger named "dagster.builtin" (with a name:
    "dagster.builtin.orders"); outside a run its records go to python logging as usual."""
    logger = dg.get_dagster_logger()
    assert isinstance(logger, logging.Logger)
    assert (logger.name, dg.get_dagster_logger("orders").name) == (
        "dagster.builtin",
        "dagster.builtin.orders",
    )
    with caplog.at_level(logging.INFO, logger="dagster.builtin"):
        dg.get_dagster_logger("orders").info("outside any step")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("dagster.builtin.orders", "outside any step")
    ]
