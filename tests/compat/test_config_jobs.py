"""`job(config=...)` as the default run config (a dict, or a `RunConfig` of pydantic `Config`
objects), merged field by field with a run's own config; the sections a run config may have."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, load, pipeline, stored_op_output

import dagdeck as dg

FILE = pipeline("config_job_defaults")


def test_job_config_is_the_default(tmp_path: Path) -> None:
    """Dagster 1.13.28: `weather_job` without run config succeeds: fetch_weather {'city': 'Oslo',
    'units': 'metric'}, forecast {'city': 'Oslo', 'units': 'metric', 'days': 3}."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "weather_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"fetch_weather": "succeeded", "forecast": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "forecast") == {
        "city": "Oslo",
        "units": "metric",
        "days": 3,
    }


def test_run_config_overrides_the_job_config_field_by_field(tmp_path: Path) -> None:
    """Dagster 1.13.28: run config {"ops": {"forecast": {"config": {"days": 7}}}} keeps the job's
    city: forecast {'city': 'Oslo', 'units': 'metric', 'days': 7}; giving fetch_weather
    {"city": "Rome", "units": "imperial"} keeps the job's days: {'city': 'Rome', 'units':
    'imperial', 'days': 3}."""
    home = tmp_path / "home"
    config = json.dumps({"ops": {"forecast": {"config": {"days": 7}}}})
    run = cli_run(FILE, "job", "run", "weather_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "forecast") == {
        "city": "Oslo",
        "units": "metric",
        "days": 7,
    }
    config = json.dumps({"ops": {"fetch_weather": {"config": {"city": "Rome", "units": "imperial"}}}})
    run = cli_run(FILE, "job", "run", "weather_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "forecast") == {
        "city": "Rome",
        "units": "imperial",
        "days": 3,
    }


def test_execution_and_loggers_sections_are_accepted_unknown_ones_refused(tmp_path: Path) -> None:
    """Dagster 1.13.28: run config with "execution": {"config": {"in_process": {}}} and "loggers":
    {"console": {"config": {"log_level": "DEBUG"}}} besides "ops" runs (forecast days 7); a
    "schedule" section is refused: 'Received unexpected config entry "schedule" at the root'."""
    home = tmp_path / "home"
    config = {
        "ops": {"forecast": {"config": {"days": 7}}},
        "execution": {"config": {"in_process": {}}},
        "loggers": {"console": {"config": {"log_level": "DEBUG"}}},
        "resources": {},
    }
    run = cli_run(FILE, "job", "run", "weather_job", "--config", json.dumps(config), home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "forecast")["days"] == 7
    bad = json.dumps({"ops": {}, "schedule": {}})
    line = cli_usage_error(FILE, "job", "run", "weather_job", "--config", bad, home=tmp_path / "bad")
    assert 'unexpected config entry "schedule" at the root' in line


def test_run_config_object_as_the_job_default_and_as_run_config(tmp_path: Path) -> None:
    """Dagster 1.13.28: `greeting_job` (config=RunConfig(ops={"greet": GreetingConfig(name="Ada")}))
    returns 'hello Ada'; run with RunConfig(ops={"greet": GreetingConfig(name="Bo", shout=True)})
    'HELLO BO'; with the dict {"ops": {"greet": {"config": {"name": "Cy"}}}} 'hello Cy';
    `RunConfig(...).to_config_dict()` is {'loggers': {}, 'resources': {}, 'ops': {'greet':
    {'config': {'name': 'Bo', 'shout': True}}}, 'execution': {}}."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "greeting_job", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "greet") == "hello Ada"
    config = json.dumps({"ops": {"greet": {"config": {"name": "Cy"}}}})
    run = cli_run(FILE, "job", "run", "greeting_job", "--config", config, home=home)
    assert stored_op_output(home, run.doc["run_id"], "greet") == "hello Cy"
    defs = load(FILE)
    run_config = dg.RunConfig(ops={"greet": _greeting(defs, "Bo")})
    assert run_config.to_config_dict() == {
        "loggers": {},
        "resources": {},
        "ops": {"greet": {"config": {"name": "Bo", "shout": True}}},
        "execution": {},
    }
    result = dg.materialize(defs, job_name="greeting_job", run_config=run_config)
    assert result.success and result.output_for_node("greet") == "HELLO BO"


def _greeting(defs: dg.Definitions, name: str) -> dg.Config:
    """A GreetingConfig of the loaded pipeline module (the class the op's parameter names)."""
    config_class = defs.op_jobs["greeting_job"].nodes["greet"].op.params.config_type
    return config_class(name=name, shout=True)
