"""A step with a pydantic `Config` parameter also reads `context.op_config`: the plain dict of its
config (defaults filled, nested configs as dicts, enums as their values); enum fields are written
by member name in run config."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli_run, pipeline, pipeline_module, stored_asset_value, stored_op_output

FILE = pipeline("config_pythonic_op_config")


def test_op_config_of_a_pythonic_config_op_is_a_dict(tmp_path: Path) -> None:
    """Dagster 1.13.28: report_job with {"ops": {"report": {"config": {"title": "Q1", "color":
    "BLUE"}}}} succeeds; context.op_config is the dict {'title': 'Q1', 'copies': 3, 'color': 2,
    'window': {'days': 7}, 'tags': []}."""
    home = tmp_path / "home"
    config = json.dumps({"ops": {"report": {"config": {"title": "Q1", "color": "BLUE"}}}})
    run = cli_run(FILE, "job", "run", "report_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"report": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "report") == {
        "title": "Q1",
        "copies": 3,
        "color": 2,
        "window": {"days": 7},
        "tags": [],
    }


def test_op_config_of_a_pythonic_config_asset_is_a_dict(tmp_path: Path) -> None:
    """Dagster 1.13.28: materialize summary with {"ops": {"summary": {"config": {"title": "S",
    "window": {"days": 30}, "tags": ["x"]}}}} stores {'title': 'S', 'copies': 3, 'color': 1,
    'window': {'days': 30}, 'tags': ['x']}."""
    home = tmp_path / "home"
    config = json.dumps(
        {"ops": {"summary": {"config": {"title": "S", "window": {"days": 30}, "tags": ["x"]}}}}
    )
    run = cli_run(FILE, "materialize", "--select", "summary", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_asset_value(home, "summary") == {
        "title": "S",
        "copies": 3,
        "color": 1,
        "window": {"days": 30},
        "tags": ["x"],
    }


def test_enum_field_takes_the_member_name_or_the_member() -> None:
    """Dagster 1.13.28: ReportConfig(title='x', color='BLUE') and ReportConfig(title='x',
    color=Color.BLUE) both give color=<Color.BLUE: 2>."""
    module = pipeline_module("config_pythonic_op_config")
    by_name = module.ReportConfig(title="x", color="BLUE")
    assert by_name.color is module.Color.BLUE
    assert module.ReportConfig(title="x", color=module.Color.BLUE) == by_name
