"""Custom loggers (issue 13, item 7): `@dg.logger` in `Definitions(loggers=...)` and in
`@dg.job(logger_defs=...)`, configured by the run config's `loggers:` section, checked against
Dagster 1.13.28."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, load, pipeline


def _user_lines(path: Path) -> list[str]:
    """The records of `context.log` calls (Dagster also sends its DEBUG engine events)."""
    return [line for line in path.read_text().splitlines() if not line.startswith("DEBUG|")]


def test_definitions_loggers_receive_context_log(tmp_path: Path) -> None:
    """Dagster 1.13.28: with run config {"loggers": {"file": {"config": {"path": ...}}}} the
    file logger receives "INFO|__ASSET_JOB - <run id> - cleaned_rows - cleaning 3 rows" and
    "WARNING|__ASSET_JOB - <run id> - cleaned_rows - 1 row had no id" (plus 13 DEBUG engine
    events, which dagdeck does not send); the run succeeds."""
    log = tmp_path / "assets.log"
    config = json.dumps({"loggers": {"file": {"config": {"path": str(log)}}}})
    run = cli_run(pipeline("definitions_loggers"), "materialize", "--config", config, home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"cleaned_rows": "succeeded"}
    run_id = run.doc["run_id"]
    assert _user_lines(log) == [
        f"INFO|__ASSET_JOB - {run_id} - cleaned_rows - cleaning 3 rows",
        f"WARNING|__ASSET_JOB - {run_id} - cleaned_rows - 1 row had no id",
    ]


def test_job_logger_defs_replace_the_definitions_loggers(tmp_path: Path) -> None:
    """Dagster 1.13.28: announce_job's `logger_defs={"job_file": file_logger}` configured with
    {"loggers": {"job_file": {"config": {"path": ...}}}} receives
    "ERROR|announce_job - <run id> - announce - disk almost full"; the run succeeds."""
    log = tmp_path / "job.log"
    config = json.dumps({"loggers": {"job_file": {"config": {"path": str(log)}}}})
    run = cli_run(
        pipeline("definitions_loggers"),
        "job",
        "run",
        "announce_job",
        "--config",
        config,
        home=tmp_path / "home",
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"announce": "succeeded"}
    assert _user_lines(log) == [f"ERROR|announce_job - {run.doc['run_id']} - announce - disk almost full"]


def test_logger_definition_attributes() -> None:
    """Dagster 1.13.28: `@dg.logger(config_schema=..., description=...)` makes a LoggerDefinition
    whose description is "Writes log records to a file."."""
    import dagdeck as dg

    defs = load(pipeline("definitions_loggers"))
    file_logger = defs.loggers["file"]
    assert isinstance(file_logger, dg.LoggerDefinition)
    assert file_logger.description == "Writes log records to a file."


def test_json_console_logger_prints_one_json_object_per_record(tmp_path: Path) -> None:
    """Dagster 1.13.28: orders_job with `logger_defs={"json": dg.json_console_logger}` and
    {"loggers": {"json": {"config": {"log_level": "INFO"}}}} prints to stderr exactly one JSON
    object (the DEBUG engine events are below the level): levelname INFO, name "dagster", msg
    "orders_job - <run id> - load_orders - loaded 42 orders"; the run succeeds."""
    from compat_helpers import cli

    file, home = pipeline("definitions_json_logger"), tmp_path / "home"
    config = json.dumps({"loggers": {"json": {"config": {"log_level": "INFO"}}}})
    run = cli_run(
        file, "job", "run", "orders_job", "--executor", "multiprocess", "--config", config, home=home
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"load_orders": "succeeded"}
    logs = json.loads(cli(file, "runs", "logs", run.doc["run_id"], "--json", home=home).stdout)
    records = [json.loads(entry["line"]) for entry in logs["lines"] if entry["file"] == "load_orders.stderr"]
    assert [(r["levelname"], r["name"], r["msg"]) for r in records] == [
        ("INFO", "dagster", f"orders_job - {run.doc['run_id']} - load_orders - loaded 42 orders")
    ]


def test_a_logger_the_run_config_does_not_name_is_not_used(tmp_path: Path) -> None:
    """Dagster 1.13.28: executing the asset job with no `loggers:` run config never calls the
    file logger's function (the run uses the default console logger) and succeeds. (Were the
    file logger built, its function would fail on the missing path.)"""
    run = cli_run(pipeline("definitions_loggers"), "materialize", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"cleaned_rows": "succeeded"}


def test_logger_config_is_checked_against_its_schema(tmp_path: Path) -> None:
    """Dagster 1.13.28: {"loggers": {"file": {"config": {"path": 3}}}} fails the run config check
    (`path` is a String: DagsterInvalidConfigError 'Invalid scalar at path
    root:loggers:file:config:path'). dagdeck fails the run, naming loggers.file.config:path."""
    config = json.dumps({"loggers": {"file": {"config": {"path": 3}}}})
    run = cli_run(pipeline("definitions_loggers"), "materialize", "--config", config, home=tmp_path / "home")
    assert run.returncode == 1
    assert run.status == "FAILURE"
    assert "loggers.file.config:path" in json.dumps(run.doc)
