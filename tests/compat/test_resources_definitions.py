"""Function resources (`@resource`, ResourceDefinition), required_resource_keys, test doubles,
resources from run config and to_job(resource_defs=), through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import (
    cli_run,
    cli_usage_error,
    pipeline,
    pipeline_module,
    stored_asset_value,
    stored_op_output,
)

import dagdeck as dg


def test_yield_resource_configured_from_run_config_with_teardown(tmp_path: Path) -> None:
    """Dagster 1.13.28: with run config {"resources": {"greeter": {"config": {"prefix": "Hello",
    "log_path": ...}}}} the job succeeds: hello -> 'Hello, world!', shout -> 'Hello, HELLO, WORLD!!';
    the code after `yield` runs once, at the end of the run ('closed <pid>' written once)."""
    home = tmp_path / "home"
    log = tmp_path / "teardown.txt"
    config = {"resources": {"greeter": {"config": {"prefix": "Hello", "log_path": str(log)}}}}
    run = cli_run(
        pipeline("resources_function"),
        "job",
        "run",
        "greeting_job",
        "--config",
        json.dumps(config),
        home=home,
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"hello": "succeeded", "shout": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "hello") == "Hello, world!"
    assert stored_op_output(home, run.doc["run_id"], "shout") == "Hello, HELLO, WORLD!!"
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["closed"]


def test_resource_config_required_but_missing(tmp_path: Path) -> None:
    """Dagster 1.13.28: without run config the job does not run: DagsterInvalidConfigError
    'Missing required config entry "resources" ... {'resources': {'greeter': {'config': {'prefix':
    '...'}}}}'. dagdeck fails the run before any step, naming the resource and the config form."""
    run = cli_run(pipeline("resources_function"), "job", "run", "greeting_job", home=tmp_path / "home")
    assert run.status == "FAILURE"
    reason = run.doc["failure_reason"]
    assert "greeter" in reason and "missing required config" in reason and "prefix" in reason
    assert "succeeded" not in run.steps.values()


def test_resource_function_called_directly_in_a_unit_test() -> None:
    """Dagster 1.13.28: `multiplier(build_init_resource_context(config={"factor": 2}))` returns 2;
    a yield-style resource called so is a context manager: `with greeter(ctx) as g: g("x")` ->
    'Hi, x!'."""
    run_config = pipeline_module("resources_run_config")
    assert run_config.multiplier(dg.build_init_resource_context(config={"factor": 2})) == 2
    function = pipeline_module("resources_function")
    with function.greeter(dg.build_init_resource_context(config={"prefix": "Hi", "log_path": ""})) as greet:
        assert greet("x") == "Hi, x!"


def test_hardcoded_mock_and_none_resources(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize` succeeds; report = {'to': 'team@example.com', 'mailer_calls': 1,
    'cache_is_none': True}: hardcoded_resource gives its value, mock_resource a MagicMock recording
    calls, none_resource None."""
    home = tmp_path / "home"
    run = cli_run(pipeline("resources_testing"), "materialize", "--select", "report", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "report") == {
        "to": "team@example.com",
        "mailer_calls": 1,
        "cache_is_none": True,
    }


def test_missing_required_resource_is_a_load_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: the Definitions do not load: DagsterInvalidDefinitionError "resource with key
    'database' required by op 'users' was not provided". dagdeck: exit 2, one line naming the asset
    and the key, no run recorded."""
    line = cli_usage_error(
        pipeline("resources_missing"), "materialize", "--select", "users", home=tmp_path / "home"
    )
    assert "users" in line and "'database'" in line and "resources_missing.py" in line


def test_to_job_resource_defs_configured_and_run_config(tmp_path: Path) -> None:
    """Dagster 1.13.28: fetch_job (to_job(resource_defs=) with an Api resource and
    `multiplier.configured({"factor": 3})`) gives endpoint 'http://localhost:80/items' and
    scaled 75 without run config; with {"resources": {"api": {"config": {"host": "example.com",
    "port": 8080}}}} endpoint 'http://example.com:8080/items', scaled 87; port "x" is refused
    (Invalid scalar at path root:resources:api:config:port)."""
    home = tmp_path / "home"
    file = pipeline("resources_run_config")
    plain = cli_run(file, "job", "run", "fetch_job", home=home)
    assert plain.returncode == 0, plain.stderr
    assert stored_op_output(home, plain.doc["run_id"], "endpoint") == "http://localhost:80/items"
    assert stored_op_output(home, plain.doc["run_id"], "scaled") == 75
    config = {"resources": {"api": {"config": {"host": "example.com", "port": 8080}}}}
    launched = cli_run(file, "job", "run", "fetch_job", "--config", json.dumps(config), home=home)
    assert launched.returncode == 0, launched.stderr
    assert stored_op_output(home, launched.doc["run_id"], "endpoint") == "http://example.com:8080/items"
    assert stored_op_output(home, launched.doc["run_id"], "scaled") == 87
    bad = {"resources": {"api": {"config": {"port": "x"}}}}
    refused = cli_run(file, "job", "run", "fetch_job", "--config", json.dumps(bad), home=home)
    assert refused.status == "FAILURE"
    assert "api" in refused.doc["failure_reason"] and "port" in refused.doc["failure_reason"]
    assert "succeeded" not in refused.steps.values()


def test_op_parameter_typed_as_missing_resource_is_a_load_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: DagsterInvalidDefinitionError "resource with key 'slack' required by op
    'announce' was not provided" when the job resolves. dagdeck: exit 2, one line naming the op and
    the key, no run recorded."""
    file = pipeline("resources_missing_param")
    line = cli_usage_error(file, "job", "run", "announce_job", home=tmp_path / "home")
    assert "op announce" in line and "'slack'" in line and "resources_missing_param.py" in line


def test_configured_function_on_a_resource_and_int_env_var(tmp_path: Path) -> None:
    """Dagster 1.13.28: `@configured(http_client, config_schema={"region": str})` maps the run's
    {"resources": {"client": {"config": {"region": "eu"}}}} onto the resource's own config, and
    Pool(size=EnvVar.int("POOL_SIZE")) reads 4 from the environment: endpoint =
    'https://eu.api.example.com x3 (pool of 4)'."""
    home = tmp_path / "home"
    config = {"resources": {"client": {"config": {"region": "eu"}}}}
    run = cli_run(
        pipeline("resources_configured_fn"),
        "job",
        "run",
        "regional_job",
        "--config",
        json.dumps(config),
        home=home,
        env={"POOL_SIZE": "4"},
    )
    assert run.returncode == 0, run.stderr
    assert run.steps == {"endpoint": "succeeded"}
    assert (
        stored_op_output(home, run.doc["run_id"], "endpoint") == "https://eu.api.example.com x3 (pool of 4)"
    )
