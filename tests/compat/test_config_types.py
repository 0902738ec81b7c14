"""The config type system behind `config_schema=`: Enum, Selector, Shape, Permissive, Map, Array,
Any, and the `*Source` types that read environment variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compat_helpers import cli_run, cli_usage_error, pipeline, stored_op_output

FILE = pipeline("config_types_tour")
ENV = {"DB_USER": "ada", "DB_PORT": "5432", "DB_DEBUG": "yes"}
PLAN = {
    "mode": "incremental",
    "region": "EU",
    "target": {"path": {"dir": "/data"}},
    "options": {"batch": 5, "extra": True},
    "weights": {"a": 1, "b": 0.25},
    "ids": [1, 2],
}
CONNECT = {"user": {"env": "DB_USER"}, "port": {"env": "DB_PORT"}, "debug": {"env": "DB_DEBUG"}}


def _config(plan: dict[str, Any] | None = None, connect: dict[str, Any] | None = None) -> str:
    return json.dumps(
        {
            "ops": {
                "plan_load": {"config": {**PLAN, **(plan or {})}},
                "connect": {"config": {**CONNECT, **(connect or {})}},
            }
        }
    )


def test_every_type_processes_its_value(tmp_path: Path) -> None:
    """Dagster 1.13.28: succeeds; `plan_load` sees mode 'inc' (the EnumValue's python_value), region
    Region.EU, the selector's chosen branch with its default filled ({'path': {'dir': '/data',
    'pattern': '*.csv'}}), the permissive dict with its extra key kept, weights as floats
    ({'a': 1.0, 'b': 0.25}), threshold 0.5 by default and no `anything` key; `connect` reads
    DB_USER, DB_PORT (as int 5432) and DB_DEBUG ('yes' -> True) from the environment."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "load_job", "--config", _config(), home=home, env=ENV)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"plan_load": "succeeded", "connect": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "plan_load") == {
        "mode": "inc",
        "region": "EU",
        "target": {"path": {"dir": "/data", "pattern": "*.csv"}},
        "options": {"batch": 5, "extra": True},
        "weights": {"a": 1.0, "b": 0.25},
        "ids": [1, 2],
        "threshold": 0.5,
    }
    assert stored_op_output(home, run.doc["run_id"], "connect") == {
        "user": "ada",
        "port": 5432,
        "debug": True,
    }


def test_other_branches_and_plain_values(tmp_path: Path) -> None:
    """Dagster 1.13.28: succeeds; mode 'full' (python_value defaults to the name), target
    {'table': 't'}, options {'batch': 100} (the permissive shape's default), `anything` passed as
    given; `connect` takes plain values and debug defaults to False."""
    home = tmp_path / "home"
    plan = {"mode": "full", "target": {"table": "t"}, "options": {}, "anything": [1, {"x": None}]}
    config = json.loads(_config(plan))
    config["ops"]["connect"]["config"] = {"user": "bob", "port": 1}
    run = cli_run(FILE, "job", "run", "load_job", "--config", json.dumps(config), home=home)
    assert run.returncode == 0, run.stderr
    out = stored_op_output(home, run.doc["run_id"], "plan_load")
    assert (out["mode"], out["target"], out["options"], out["anything"]) == (
        "full",
        {"table": "t"},
        {"batch": 100},
        [1, {"x": None}],
    )
    assert stored_op_output(home, run.doc["run_id"], "connect") == {"user": "bob", "port": 1, "debug": False}


def test_enum_and_selector_errors(tmp_path: Path) -> None:
    """Dagster 1.13.28: 'Value at path root:ops:plan_load:config:mode not in enum type Mode got
    partial'; the same for Region with ASIA; two selector branches: 'You can only specify a single
    field at path root:ops:plan_load:config:target. You specified ['path', 'table']'; none: 'Must
    specify a field at path ...:target if more than one field is defined'."""
    cases = [
        (
            {"mode": "partial"},
            "Value at path root:ops:plan_load:config:mode not in enum type Mode got partial",
        ),
        (
            {"region": "ASIA"},
            "Value at path root:ops:plan_load:config:region not in enum type Region got ASIA",
        ),
        (
            {"target": {"table": "t", "path": {"dir": "d"}}},
            "You can only specify a single field at path root:ops:plan_load:config:target. "
            "You specified ['path', 'table']",
        ),
        (
            {"target": {}},
            "Must specify a field at path root:ops:plan_load:config:target if more than one field",
        ),
    ]
    for i, (plan, words) in enumerate(cases):
        line = cli_usage_error(
            FILE, "job", "run", "load_job", "--config", _config(plan), home=tmp_path / str(i), env=ENV
        )
        assert words in line, line


def test_map_and_permissive_values_are_checked(tmp_path: Path) -> None:
    """Dagster 1.13.28: 'Invalid scalar at path root:ops:plan_load:config:weights:'a':value. Value
    "heavy" ... "Float"' and, inside the permissive shape, 'Invalid scalar at path
    root:ops:plan_load:config:options:batch. Value "many" ... "Int"'."""
    line = cli_usage_error(
        FILE,
        "job",
        "run",
        "load_job",
        "--config",
        _config({"weights": {"a": "heavy"}}),
        home=tmp_path / "a",
        env=ENV,
    )
    assert "Invalid scalar at path root:ops:plan_load:config:weights:'a':value. Value \"heavy\"" in line
    line = cli_usage_error(
        FILE,
        "job",
        "run",
        "load_job",
        "--config",
        _config({"options": {"batch": "many"}}),
        home=tmp_path / "b",
        env=ENV,
    )
    assert 'Invalid scalar at path root:ops:plan_load:config:options:batch. Value "many"' in line


def test_env_sources_missing_or_not_a_number(tmp_path: Path) -> None:
    """Dagster 1.13.28: refused before the run: 'Post processing at path root:ops:connect:config:user
    ... You have attempted to fetch the environment variable "NO_SUCH_VAR_X" which is not set', and
    for IntSource reading DB_USER: 'Value stored in env variable "DB_USER" cannot be coerced into an
    int'."""
    missing = _config(connect={"user": {"env": "NO_SUCH_VAR_X"}})
    line = cli_usage_error(FILE, "job", "run", "load_job", "--config", missing, home=tmp_path / "a", env=ENV)
    assert "root:ops:connect:config:user" in line
    assert 'attempted to fetch the environment variable "NO_SUCH_VAR_X" which is not set' in line
    not_int = _config(connect={"port": {"env": "DB_USER"}})
    line = cli_usage_error(FILE, "job", "run", "load_job", "--config", not_int, home=tmp_path / "b", env=ENV)
    assert 'value stored in env variable "DB_USER" cannot be coerced into an int' in line


def test_scalar_types_are_dagsters_python_types() -> None:
    """Dagster 1.13.28: `dg.Int is int`, `dg.Float is float`, `dg.String is str`, `dg.Bool is bool`
    and `dg.Any is typing.Any`; the `*Source` types are config types of their own."""
    import typing

    import dagdeck as dg

    assert (dg.Int, dg.Float, dg.String, dg.Bool, dg.Any) == (int, float, str, bool, typing.Any)
    assert (dg.StringSource.python_type, dg.IntSource.python_type, dg.BoolSource.python_type) == (
        str,
        int,
        bool,
    )
