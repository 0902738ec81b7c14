"""Schedules and sensors with `target=`, jobs they target that `jobs=[...]` does not list, the
decorator form of `asset_sensor`, and every documented `define_asset_job(selection=...)` form
(issue 13, item 7), each checked against Dagster 1.13.28."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, load, pipeline


def _keys(defs, job_name: str) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_job_def(job_name).keys}


def test_targets_make_and_adopt_jobs(tmp_path: Path) -> None:
    """Dagster 1.13.28: the repository's jobs are __anonymous_asset_job_marts_schedule and
    __anonymous_asset_job_orders_sensor (both daily_orders, order_count), notify_job (op
    send_email) and reports_job (weekly_report), though `jobs=` lists none; marts_schedule targets
    __anonymous_asset_job_marts_schedule, weekly_reports_schedule reports_job, notify_sensor
    notify_job (every 60 s), orders_sensor __anonymous_asset_job_orders_sensor (every 30 s).
    Running __anonymous_asset_job_marts_schedule succeeds with steps daily_orders, order_count."""
    file = pipeline("definitions_targets")
    defs = load(file)
    assert defs.job_names == [
        "__anonymous_asset_job_marts_schedule",
        "__anonymous_asset_job_orders_sensor",
        "notify_job",
        "reports_job",
    ]
    assert _keys(defs, "__anonymous_asset_job_marts_schedule") == {"daily_orders", "order_count"}
    assert _keys(defs, "__anonymous_asset_job_orders_sensor") == {"daily_orders", "order_count"}
    assert _keys(defs, "reports_job") == {"weekly_report"}
    assert list(defs.resolve_job_def("notify_job").nodes) == ["send_email"]
    assert {n: s.job_name for n, s in defs.schedules.items()} == {
        "marts_schedule": "__anonymous_asset_job_marts_schedule",
        "weekly_reports_schedule": "reports_job",
    }
    assert {n: (s.job_name, s.minimum_interval_seconds) for n, s in defs.sensors.items()} == {
        "notify_sensor": ("notify_job", 60),
        "orders_sensor": ("__anonymous_asset_job_orders_sensor", 30),
    }
    run = cli_run(file, "job", "run", "__anonymous_asset_job_marts_schedule", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"daily_orders": "succeeded", "order_count": "succeeded"}


def test_asset_sensor_decorator_and_its_job(tmp_path: Path) -> None:
    """Dagster 1.13.28: `@dg.asset_sensor(asset_key=..., job=dashboard_job)` on a function makes an
    AssetSensorDefinition named daily_sales_sensor targeting dashboard_job, and dashboard_job is a
    job of the repository (with __ASSET_JOB) though `jobs=` does not list it."""
    file = pipeline("definitions_asset_sensor")
    defs = load(file)
    sensor = defs.get_sensor_def("daily_sales_sensor")
    assert sensor.job_name == "dashboard_job"
    assert sensor.asset_key is not None and sensor.asset_key.to_user_string() == "daily_sales"
    assert defs.job_names == ["dashboard_job"]
    run = cli_run(file, "job", "run", "dashboard_job", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"refresh_dashboard": "succeeded"}


# What each job of definitions_selections.py selects under Dagster 1.13.28
# (`job.asset_layer.selected_asset_keys` of the resolved repository's jobs).
DAGSTER_SELECTIONS = {
    "by_string_downstream": {"dashboard", "engagement", "sessions"},
    "by_string_upstream": {"engagement", "sessions", "warehouse/users"},
    "by_group_string": {"engagement", "sessions"},
    "by_key_strings": {"sessions", "warehouse/users"},
    "by_asset_keys": {"dashboard", "warehouse/events"},
    "by_assets_defs": {"engagement", "sessions"},
    "by_groups": {"dashboard", "warehouse/events", "warehouse/users"},
    "by_key_prefix": {"warehouse/events", "warehouse/users"},
    "by_tag": {"warehouse/events", "warehouse/users"},
    "by_upstream": {"engagement", "sessions", "warehouse/users"},
    "by_downstream": {"dashboard", "engagement", "sessions"},
    "all_but_reports": {"engagement", "sessions", "warehouse/events", "warehouse/users"},
    "roots_and_sinks": {"dashboard", "warehouse/events", "warehouse/users"},
    "by_owner": {"warehouse/users"},
    "by_kind": {"engagement"},
    "by_key_substring": {"sessions"},
    "new_syntax": {"dashboard", "sessions"},
}


def test_asset_job_selection_forms() -> None:
    """Dagster 1.13.28: the 17 jobs of definitions_selections.py select the asset sets listed in
    DAGSTER_SELECTIONS (strings with * + group: key: tag:, key strings, AssetKeys, assets
    definitions, AssetSelection groups/key_prefixes/tag/owner/kind/key_substring/upstream/
    downstream/roots/sinks and set operations)."""
    defs = load(pipeline("definitions_selections"))
    assert {name: _keys(defs, name) for name in DAGSTER_SELECTIONS} == DAGSTER_SELECTIONS


def test_asset_job_selection_runs_through_the_cli(tmp_path: Path) -> None:
    """Dagster 1.13.28: running by_string_upstream (`+engagement`) materializes
    warehouse/users, sessions and engagement, all succeeding (sessions' dep warehouse/events is
    not selected, so it is not run)."""
    run = cli_run(
        pipeline("definitions_selections"), "job", "run", "by_string_upstream", home=tmp_path / "home"
    )
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {"warehouse/users": "succeeded", "sessions": "succeeded", "engagement": "succeeded"}


def test_schedule_definition_functions(tmp_path: Path) -> None:
    """Dagster 1.13.28: `evaluate_tick(build_schedule_context())` of export_schedule requests one
    run with run config {"ops": {"export_sales": {"config": {"region": "emea"}}}} (from
    run_config_fn) and tag team=sales (from tags_fn, beside Dagster's own dagster/schedule_name);
    paused_schedule requests nothing, skip message "should_execute function for paused_schedule
    returned false."; export_job with that config succeeds, export_sales returning "exported emea"."""
    import datetime as dt
    import json

    from dagdeck.core.automation.schedule_ticks import evaluate_schedule

    file = pipeline("definitions_schedule_options")
    defs = load(file)
    now = dt.datetime.now(dt.UTC)
    export = evaluate_schedule(defs.get_schedule_def("export_schedule"), now)
    assert [(r.run_config, r.tags) for r in export.requests] == [
        ({"ops": {"export_sales": {"config": {"region": "emea"}}}}, {"team": "sales"})
    ]
    paused = evaluate_schedule(defs.get_schedule_def("paused_schedule"), now)
    assert paused.requests == []
    assert paused.skip_reason == "should_execute function for paused_schedule returned false."
    config = json.dumps(export.requests[0].run_config)
    run = cli_run(file, "job", "run", "export_job", "--config", config, home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"export_sales": "succeeded"}


def test_asset_sensor_function_sees_the_new_materialization(tmp_path: Path) -> None:
    """Dagster 1.13.28: after materializing daily_sales, `daily_sales_sensor.evaluate_tick(
    build_sensor_context(instance=...))` calls the function with the materialization event and
    requests one run: run_key None (the cursor before), tags source_asset=daily_sales and
    source_run=<the materializing run's id> (beside dagster/sensor_name); the cursor moves to that
    event, and the next tick skips ("No new materialization events found for asset key ...")."""
    import json

    from compat_helpers import cli

    file, home = pipeline("definitions_asset_sensor"), tmp_path / "home"
    assert cli(file, "sensors", "start", "daily_sales_sensor", home=home).returncode == 0
    made = cli_run(file, "materialize", home=home)
    assert made.returncode == 0, made.stderr
    tick = json.loads(
        cli(file, "sensors", "tick", "daily_sales_sensor", "--launch", "--json", home=home).stdout
    )
    assert tick["error"] is None
    assert [(r["job"], r["run_key"], r["tags"]) for r in tick["requests"]] == [
        ("dashboard_job", None, {"source_asset": "daily_sales", "source_run": made.doc["run_id"]})
    ]
    assert tick["launched"] and len(tick["run_ids"]) == 1
    again = json.loads(cli(file, "sensors", "tick", "daily_sales_sensor", "--json", home=home).stdout)
    assert again["requests"] == []
    assert again["skip_reason"] == "no new materializations of daily_sales"


def test_sensor_result_requests_runs_and_moves_the_cursor(tmp_path: Path) -> None:
    """Dagster 1.13.28: the first `batch_sensor.evaluate_tick(...)` returns three run requests
    (run keys b1, b2, b3, each with its batch in the op config) and cursor "3"; the next tick,
    from cursor "3", requests nothing with skip message "no new batches"."""
    import json

    from compat_helpers import cli

    file, home = pipeline("definitions_sensor_result"), tmp_path / "home"
    first = json.loads(cli(file, "sensors", "tick", "batch_sensor", "--launch", "--json", home=home).stdout)
    assert first["error"] is None
    assert [(r["run_key"], r["run_config"]) for r in first["requests"]] == [
        (b, {"ops": {"process_batch": {"config": {"batch": b}}}}) for b in ("b1", "b2", "b3")
    ]
    assert first["cursor"] == "3" and len(first["run_ids"]) == 3
    second = json.loads(cli(file, "sensors", "tick", "batch_sensor", "--json", home=home).stdout)
    assert second["requests"] == [] and second["skip_reason"] == "no new batches"
