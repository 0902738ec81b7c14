"""Pythonic resources (ConfigurableResource, EnvVar, nested resources, setup/teardown,
ResourceParam, with_resources), through the CLI as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, pipeline, run_record, stored_asset_value, stored_metadata

SECRET = "s3cr3t-weather-token-value"


def test_configurable_resource_with_nested_resource_and_env_var(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize` succeeds; the asset receives the WeatherClient with its nested
    Credentials, the token read from WEATHER_TOKEN (len 26 here), so metadata is
    url=https://api.example.com/paris, token_len=<len of the token>, timeout=10 (the field default)."""
    home = tmp_path / "home"
    run = cli_run(
        pipeline("resources_configurable"),
        "materialize",
        "--select",
        "weather",
        home=home,
        env={"WEATHER_TOKEN": SECRET},
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"weather": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    assert stored_metadata(record, "weather") == {
        "url": "https://api.example.com/paris",
        "token_len": len(SECRET),
        "timeout": 10,
    }
    assert stored_asset_value(home, "weather")["city"] == "paris"


def test_env_var_value_is_never_stored_logged_or_shown(tmp_path: Path) -> None:
    """Dagster 1.13.28: an `EnvVar` field is stored in config as {'env': 'WEATHER_TOKEN'}, never its
    value; the run succeeds with the value resolved at run time. Here: the secret appears in no file
    under the home (store, logs, storage), in no CLI output and not in the console's run view."""
    home = tmp_path / "home"
    file = pipeline("resources_configurable")
    env = {"WEATHER_TOKEN": SECRET}
    run = cli_run(file, "materialize", "--select", "weather", home=home, env=env)
    assert run.status == "SUCCESS", run.stderr
    outputs = [json.dumps(run.doc), run.stderr]
    for args in (
        ("runs", "show", run.doc["run_id"]),
        ("runs", "logs", run.doc["run_id"]),
        ("assets", "list"),
    ):
        proc = cli(file, *args, home=home, env=env)
        outputs += [proc.stdout, proc.stderr]
    assert not any(SECRET in text for text in outputs)
    for path in home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    # what the console's run screen and asset pane read
    from dagdeck.core.console_api import ConsoleAPI
    from dagdeck.core.defs.loader import CodeLocation
    from dagdeck.core.instance import Instance

    api = ConsoleAPI(Instance.open(home), CodeLocation(file=str(file), working_dir=str(file.parent)))
    try:
        api.reload()
        run_id = run.doc["run_id"]
        shown = [api.run_view(run_id), api.run_events(run_id), api.asset_detail("weather"), api.jobs()]
        shown.append(api.step_log(run_id, "weather", "stdout"))
        assert not any(SECRET in repr(x) for x in shown)
    finally:
        api.instance.close()


def test_missing_env_var_fails_the_run_naming_the_variable(tmp_path: Path) -> None:
    """Dagster 1.13.28: without WEATHER_TOKEN the run does not start: DagsterInvalidConfigError
    'You have attempted to fetch the environment variable "WEATHER_TOKEN" which is not set'.
    dagdeck fails the run before any step runs, naming the variable."""
    home = tmp_path / "home"
    run = cli_run(pipeline("resources_configurable"), "materialize", "--select", "weather", home=home, env={})
    assert run.status == "FAILURE"
    assert "WEATHER_TOKEN" in run.doc["failure_reason"] and "not set" in run.doc["failure_reason"]
    assert run.steps["weather"] != "succeeded"


def test_setup_and_teardown_once_per_run_around_all_steps(tmp_path: Path) -> None:
    """Dagster 1.13.28: materializing first and second writes to the journal, in order:
    `setup <pid>`, `note first`, `note second`, `teardown <pid>`: one setup and one teardown per run,
    in the process that runs the steps, the path read from JOURNAL_PATH."""
    home = tmp_path / "home"
    journal = tmp_path / "journal.txt"
    run = cli_run(
        pipeline("resources_lifecycle"),
        "materialize",
        "--select",
        "*",
        home=home,
        env={"JOURNAL_PATH": str(journal)},
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"first": "succeeded", "second": "succeeded"}
    lines = journal.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["setup", "note", "note", "teardown"]
    assert lines[1:3] == ["note first", "note second"]
    assert lines[0].split()[1] == lines[3].split()[1]  # same process
    assert stored_asset_value(home, "second") == 2


def test_with_resources_and_resource_param(tmp_path: Path) -> None:
    """Dagster 1.13.28: `with_resources` binds the Warehouse and a plain dict (typed
    `ResourceParam[dict]`) to both assets; orders = 'analytics.orders in eu', order_count = 122."""
    home = tmp_path / "home"
    run = cli_run(pipeline("resources_with_resources"), "materialize", "--select", "*", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"orders": "succeeded", "order_count": "succeeded"}
    assert stored_asset_value(home, "orders") == "analytics.orders in eu"
    assert stored_asset_value(home, "order_count") == 122


LAUNCH_CONFIG = {
    "resources": {"connection": {"config": {"host": "db.local"}}, "settings": {"config": {"limit": 5}}}
}


def test_nested_dependency_configured_at_launch_and_values_resource(tmp_path: Path) -> None:
    """Dagster 1.13.28: with run config {"resources": {"connection": {"config": {"host":
    "db.local"}}, "settings": {"config": {"limit": 5}}}} the run succeeds and inventory =
    'items@db.local:5432 limit=5': the Repository gets the top-level Connection configured at launch
    (port default 5432), make_values_resource gives its config."""
    home = tmp_path / "home"
    run = cli_run(
        pipeline("resources_nested_launch"),
        "materialize",
        "--select",
        "inventory",
        "--config",
        json.dumps(LAUNCH_CONFIG),
        home=home,
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"inventory": "succeeded"}
    assert stored_asset_value(home, "inventory") == "items@db.local:5432 limit=5"


def test_resource_setup_failure_fails_the_run_before_any_step(tmp_path: Path) -> None:
    """Dagster 1.13.28: with flaky's config fail=true its setup_for_execution raises
    ConnectionError('cannot reach the broker'): RESOURCE_INIT_FAILURE then RUN_FAILURE, no step
    starts; the error reads "Error executing resource_fn on ResourceDefinition flaky ...
    ConnectionError: cannot reach the broker"."""
    config = {"resources": {**LAUNCH_CONFIG["resources"], "flaky": {"config": {"fail": True}}}}
    run = cli_run(
        pipeline("resources_nested_launch"),
        "materialize",
        "--select",
        "*",
        "--config",
        json.dumps(config),
        home=tmp_path / "home",
    )
    assert run.status == "FAILURE"
    reason = run.doc["failure_reason"]
    assert "flaky" in reason and "ConnectionError: cannot reach the broker" in reason
    assert set(run.steps.values()) <= {"skipped", "not started", "not_started"}, run.steps


def test_build_resources_initializes_and_tears_down(tmp_path: Path) -> None:
    """Dagster 1.13.28: `with build_resources({"connection": ..., "repository": ..., "settings": ...},
    resource_config=...) as r` gives r.repository.describe() == 'items@db.local:5432' and
    r.settings == {'limit': 5}; a Journal resource's teardown runs when the block ends."""
    from compat_helpers import pipeline_module

    import dagdeck as dg

    nested = pipeline_module("resources_nested_launch")
    lifecycle = pipeline_module("resources_lifecycle")
    journal = tmp_path / "journal.txt"
    resources = {k: nested.defs.resources[k] for k in ("connection", "repository", "settings")}
    with dg.build_resources(
        {**resources, "journal": lifecycle.Journal(path=str(journal))},
        resource_config=LAUNCH_CONFIG["resources"],
    ) as r:
        assert r.repository.describe() == "items@db.local:5432"
        assert r.settings == {"limit": 5}
        assert journal.read_text().split()[0] == "setup"
    assert journal.read_text().split()[-2] == "teardown"
