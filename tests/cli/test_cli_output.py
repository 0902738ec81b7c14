"""What the reporting commands print: one JSON document with `--json`, and user text printed as
written (never read as Rich markup) without it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import json_of, one_line_error, run_dagdeck, run_many

WriteDefs = Callable[..., Path]

MARKUP = "[/] closes nothing, [bold]opens[/bold] and [red]"
"""A string Rich would choke on (`[/]` with nothing open) or restyle, were it read as markup."""

DEFS = f"""
import dagdeck as dg

MARKUP = {MARKUP!r}


@dg.asset(description="Orders " + MARKUP)
def orders():
    return dg.Output([1, 2, 3], metadata={{"note": "note " + MARKUP, "rows": 3}})


@dg.asset(description="fails on purpose")
def brittle():
    raise RuntimeError("broke " + MARKUP)


@dg.asset_check(asset=orders, description="check " + MARKUP)
def orders_positive(orders):
    return dg.AssetCheckResult(passed=len(orders) == 3)


orders_job = dg.define_asset_job("orders_job", selection="orders", description="job " + MARKUP)
hourly = dg.ScheduleDefinition(name="hourly", job=orders_job, cron_schedule="0 * * * *")


@dg.sensor(job=orders_job, minimum_interval_seconds=5)
def watcher(context):
    return dg.SkipReason("nothing new " + MARKUP)


defs = dg.Definitions(
    assets=[orders, brittle],
    asset_checks=[orders_positive],
    jobs=[orders_job],
    schedules=[hourly],
    sensors=[watcher],
)
"""


@pytest.fixture
def defs_file(write_defs: WriteDefs) -> Path:
    return write_defs(DEFS)


def test_user_text_with_markup_prints_as_written(defs_file: Path, home: Path) -> None:
    done = run_dagdeck("materialize", "--select", "orders", "--executor", "in_process", home=home, file=defs_file)
    assert done.returncode == 0, done.stderr
    assert "orders materialized: note=note [/] closes nothing" in done.stdout  # metadata, cut at 40 characters

    failed = run_dagdeck("materialize", "--select", "brittle", "--executor", "in_process", home=home, file=defs_file)
    assert failed.returncode == 1, failed.stderr
    assert f"broke {MARKUP}" in failed.stdout  # the step error in the summary table
    assert "Traceback" not in failed.stderr

    jobs, show, assets, checks, tick, schedules = run_many(
        [
            ("job", "list"),
            ("assets", "show", "orders"),
            ("assets", "list"),
            ("checks", "list"),
            ("sensors", "tick", "watcher"),
            ("schedules", "list"),
        ],
        home=home,
        file=defs_file,
    )
    for proc in (jobs, show, assets, checks, tick, schedules):
        assert proc.returncode == 0, (proc.args, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
    assert f"job {MARKUP}" in jobs.stdout
    assert f"Orders {MARKUP}" in show.stdout
    assert f"note: note {MARKUP}" in show.stdout
    assert "orders" in assets.stdout and "brittle" in assets.stdout
    assert "orders:orders_positive" in checks.stdout and "passed" in checks.stdout
    assert f"skipped: nothing new {MARKUP}" in tick.stdout
    assert "hourly" in schedules.stdout and "0 * * * *" in schedules.stdout


def test_check_json_reports_the_location_and_counts(defs_file: Path, home: Path, write_defs: WriteDefs) -> None:
    broken = write_defs("import dagdeck as dg\nimport not_a_real_package_xyz\n", "broken.py")
    ok, plain = run_many([("check", "--json"), ("check",)], home=home, file=defs_file)
    bad = run_dagdeck("check", "--json", home=home, file=broken)

    assert ok.returncode == 0, ok.stderr
    assert json_of(ok) == {
        "location": str(defs_file),
        "ok": True,
        "assets": 2,
        "jobs": 1,
        "schedules": 1,
        "sensors": 1,
        "asset_checks": 1,
    }
    assert plain.returncode == 0 and "2 assets, 1 job, 1 schedule, 1 sensor" in plain.stdout

    line = one_line_error(bad)  # the error line still goes to stderr, and exit 2
    doc = json_of(bad)
    assert doc["ok"] is False and doc["location"] == str(broken)
    assert "not_a_real_package_xyz" in doc["error"] and "not_a_real_package_xyz" in line


def test_runs_cancel_reports_json_and_rejects_unknown_ids(defs_file: Path, home: Path) -> None:
    done = run_dagdeck(
        "materialize", "--select", "orders", "--executor", "in_process", "--json", home=home, file=defs_file
    )
    assert done.returncode == 0, done.stderr
    run_id = json_of(done)["run_id"]

    finished, unknown, unknown_json, plain = run_many(
        [
            ("runs", "cancel", run_id[:8], "--json"),
            ("runs", "cancel", "0000dead"),
            ("runs", "cancel", "0000dead", "--json"),
            ("runs", "cancel", run_id),
        ],
        home=home,
        file=defs_file,
    )
    assert finished.returncode == 0, finished.stderr
    assert json_of(finished) == {"run_id": run_id, "status": "SUCCESS", "canceled": False}
    assert plain.returncode == 0 and plain.stdout.strip() == f"run {run_id[:8]} already SUCCESS"
    for proc in (unknown, unknown_json):
        assert "no run '0000dead'" in one_line_error(proc)
        assert proc.stdout == ""


def test_schedules_and_sensors_switch_with_json(defs_file: Path, home: Path) -> None:
    started = run_dagdeck("schedules", "start", "hourly", "--json", home=home, file=defs_file)
    assert started.returncode == 0, started.stderr
    assert json_of(started) == {"name": "hourly", "kind": "schedule", "status": "RUNNING"}

    listed, sensor_on = run_many(
        [("schedules", "list", "--json"), ("sensors", "start", "watcher", "--json")], home=home, file=defs_file
    )
    assert [(r["name"], r["status"]) for r in json_of(listed)] == [("hourly", "RUNNING")]
    assert json_of(sensor_on) == {"name": "watcher", "kind": "sensor", "status": "RUNNING"}

    stopped, sensor_off, reset = run_many(
        [
            ("schedules", "stop", "hourly", "--json"),
            ("sensors", "stop", "watcher", "--json"),
            ("sensors", "reset-cursor", "watcher", "--json"),
        ],
        home=home,
        file=defs_file,
    )
    assert json_of(stopped) == {"name": "hourly", "kind": "schedule", "status": "STOPPED"}
    assert json_of(sensor_off) == {"name": "watcher", "kind": "sensor", "status": "STOPPED"}
    assert json_of(reset) == {"name": "watcher", "kind": "sensor", "cursor": None}

    plain = run_dagdeck("schedules", "start", "hourly", home=home, file=defs_file)
    assert plain.returncode == 0 and plain.stdout.strip() == "schedule hourly: RUNNING"
    unknown = run_dagdeck("schedules", "start", "hourlyy", "--json", home=home, file=defs_file)
    assert "no schedule named 'hourlyy'" in one_line_error(unknown) and unknown.stdout == ""


def test_runs_logs_json_is_one_document(write_defs: WriteDefs, home: Path) -> None:
    defs = write_defs(
        """
        import dagdeck as dg

        @dg.asset
        def chatty():
            print("hello [/] from chatty")
            return 1

        defs = dg.Definitions(assets=[chatty])
        """,
        "chatty_defs.py",
    )
    done = run_dagdeck("materialize", "--json", home=home, file=defs)
    assert done.returncode == 0, done.stderr
    run_id = json_of(done)["run_id"]
    logs = run_dagdeck("runs", "logs", run_id[:8], "--json", home=home)
    assert logs.returncode == 0, logs.stderr
    assert json_of(logs) == {
        "run_id": run_id,
        "step": None,
        "lines": [{"file": "chatty.stdout", "line": "hello [/] from chatty"}],
    }


def test_runs_logs_says_when_steps_wrote_nothing(write_defs: WriteDefs, home: Path) -> None:
    """A step that printed nothing gives a line on stderr saying so, not an empty screen."""
    defs = write_defs(
        """
        import dagdeck as dg

        @dg.asset
        def quiet():
            return 1

        defs = dg.Definitions(assets=[quiet])
        """,
        "quiet_defs.py",
    )
    done = run_dagdeck("materialize", "--json", home=home, file=defs)
    assert done.returncode == 0, done.stderr
    run_id = json_of(done)["run_id"]
    for args, which in ((["--step", "quiet"], "step quiet"), ([], "its steps")):
        logs = run_dagdeck("runs", "logs", run_id[:8], *args, home=home)
        assert logs.returncode == 0 and logs.stdout == ""
        assert logs.stderr.strip() == f"run {run_id[:8]}: no stdout/stderr captured from {which}"
