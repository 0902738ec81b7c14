"""Config schemas written with shorthands: bare `dict` / `list`, a scalar, `Noneable(int)` and a
top-level `Field` with a default."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, cli_usage_error, pipeline, stored_op_output

FILE = pipeline("config_shorthands")
STEPS = ("any_options", "any_items", "maybe_limit", "greeting", "nested_defaults")


def _outputs(home: Path, run_id: str) -> dict[str, object]:
    return {step: stored_op_output(home, run_id, step) for step in STEPS}


def test_defaults_of_each_shorthand(tmp_path: Path) -> None:
    """Dagster 1.13.28: with only {"any_items": {"config": []}} the job succeeds: any_options {}
    (a bare dict takes any keys and defaults to {}), any_items [], maybe_limit None, greeting
    'hello' (the Field's default), nested_defaults {'nested': {'depth': 1}}."""
    home = tmp_path / "home"
    config = json.dumps({"ops": {"any_items": {"config": []}}})
    run = cli_run(FILE, "job", "run", "shorthand_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert _outputs(home, run.doc["run_id"]) == {
        "any_options": {},
        "any_items": [],
        "maybe_limit": None,
        "greeting": "hello",
        "nested_defaults": {"nested": {"depth": 1}},
    }


def test_given_values_of_each_shorthand(tmp_path: Path) -> None:
    """Dagster 1.13.28: given values pass through: {'x': 1}, [1, 'a'], 5, 'hi',
    {'nested': {'depth': 3}}."""
    home = tmp_path / "home"
    ops = {
        "any_items": {"config": [1, "a"]},
        "any_options": {"config": {"x": 1}},
        "maybe_limit": {"config": 5},
        "greeting": {"config": "hi"},
        "nested_defaults": {"config": {"nested": {"depth": 3}}},
    }
    run = cli_run(FILE, "job", "run", "shorthand_job", "--config", json.dumps({"ops": ops}), home=home)
    assert run.returncode == 0, run.stderr
    assert _outputs(home, run.doc["run_id"]) == {
        "any_options": {"x": 1},
        "any_items": [1, "a"],
        "maybe_limit": 5,
        "greeting": "hi",
        "nested_defaults": {"nested": {"depth": 3}},
    }


def test_shorthand_errors(tmp_path: Path) -> None:
    """Dagster 1.13.28: maybe_limit "five" is 'Invalid scalar at path root:ops:maybe_limit:config.
    Value "five" ... "Int"'; no run config at all is refused because a bare `list` has no default
    (Example config for the missing entry: {'ops': {'any_items': {'config': []}}})."""
    config = json.dumps({"ops": {"any_items": {"config": [1]}, "maybe_limit": {"config": "five"}}})
    line = cli_usage_error(FILE, "job", "run", "shorthand_job", "--config", config, home=tmp_path / "a")
    assert 'Invalid scalar at path root:ops:maybe_limit:config. Value "five"' in line
    line = cli_usage_error(FILE, "job", "run", "shorthand_job", home=tmp_path / "b")
    assert 'missing required config entry "any_items" at path root:ops' in line
