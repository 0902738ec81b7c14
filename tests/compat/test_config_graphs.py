"""Config of ops inside nested graphs (`{"ops": {"graph": {"ops": {...}}}}`), graph config
mappings (`@graph(config=@config_mapping)`) and a job-level `ConfigMapping`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compat_helpers import cli_run, cli_usage_error, pipeline, stored_op_output

FILE = pipeline("config_graph_mapping")


def _nightly(etl_ops: dict[str, Any], simple_etl: dict[str, Any]) -> str:
    return json.dumps({"ops": {"etl": {"ops": etl_ops}, "simple_etl": simple_etl}})


ORDERS = {"extract": {"config": {"table": "orders"}}}


def test_nested_ops_config_and_a_graph_config_mapping(tmp_path: Path) -> None:
    """Dagster 1.13.28: succeeds with steps etl.extract, etl.load, simple_etl.extract,
    simple_etl.load; etl.load returns {'table': 'orders', 'limit': 100} (its default) and
    simple_etl.load {'table': 'users', 'limit': 1000} (mapped from {"source": "users"}, sample
    False by default)."""
    home = tmp_path / "home"
    config = _nightly(ORDERS, {"config": {"source": "users"}})
    run = cli_run(FILE, "job", "run", "nightly_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        k: "succeeded" for k in ("etl.extract", "etl.load", "simple_etl.extract", "simple_etl.load")
    }
    assert stored_op_output(home, run.doc["run_id"], "etl.load") == {"table": "orders", "limit": 100}
    assert stored_op_output(home, run.doc["run_id"], "simple_etl.load") == {"table": "users", "limit": 1000}


def test_mapping_uses_the_outer_values(tmp_path: Path) -> None:
    """Dagster 1.13.28: with etl's load limit 1 and simple_etl {"source": "users", "sample": true}:
    etl.load {'table': 'orders', 'limit': 1}, simple_etl.load {'table': 'users', 'limit': 10}."""
    home = tmp_path / "home"
    etl_ops = {**ORDERS, "load": {"config": {"limit": 1}}}
    config = _nightly(etl_ops, {"config": {"source": "users", "sample": True}})
    run = cli_run(FILE, "job", "run", "nightly_job", "--config", config, home=home)
    assert run.returncode == 0, run.stderr
    assert stored_op_output(home, run.doc["run_id"], "etl.load") == {"table": "orders", "limit": 1}
    assert stored_op_output(home, run.doc["run_id"], "simple_etl.load") == {"table": "users", "limit": 10}


def test_outer_config_is_checked_against_the_mapping_schema(tmp_path: Path) -> None:
    """Dagster 1.13.28: {"source": 1} is 'Invalid scalar at path root:ops:simple_etl:config:source
    ... "String"'; {} is 'Missing required config entry "source" at path
    root:ops:simple_etl:config'; "ops" under the mapped graph is 'Received unexpected config entry
    "ops" at path root:ops:simple_etl'; a misspelt nested op is 'Received unexpected config entry
    "extrakt" at path root:ops:etl:ops'."""
    cases = [
        (
            _nightly(ORDERS, {"config": {"source": 1}}),
            "Invalid scalar at path root:ops:simple_etl:config:source",
        ),
        (
            _nightly(ORDERS, {"config": {}}),
            'Missing required config entry "source" at path root:ops:simple_etl:config',
        ),
        (_nightly(ORDERS, {"ops": ORDERS}), 'unexpected config entry "ops" at path root:ops:simple_etl'),
        (
            _nightly({"extrakt": ORDERS["extract"]}, {"config": {"source": "u"}}),
            "unexpected entry at path root:ops:etl:ops",
        ),
    ]
    for i, (config, words) in enumerate(cases):
        line = cli_usage_error(FILE, "job", "run", "nightly_job", "--config", config, home=tmp_path / str(i))
        assert words in line, line


def test_job_config_mapping_takes_the_outer_config(tmp_path: Path) -> None:
    """Dagster 1.13.28: `backfill_job` with run config {"table": "events"} runs extract and load,
    load returning {'table': 'events', 'limit': 5} (the mapping schema's default); with limit 50,
    limit 50; with {} it is refused: 'Missing required config entry "table" at the root'."""
    home = tmp_path / "home"
    run = cli_run(FILE, "job", "run", "backfill_job", "--config", json.dumps({"table": "events"}), home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"extract": "succeeded", "load": "succeeded"}
    assert stored_op_output(home, run.doc["run_id"], "load") == {"table": "events", "limit": 5}
    config = json.dumps({"table": "events", "limit": 50})
    run = cli_run(FILE, "job", "run", "backfill_job", "--config", config, home=home)
    assert stored_op_output(home, run.doc["run_id"], "load") == {"table": "events", "limit": 50}
    line = cli_usage_error(FILE, "job", "run", "backfill_job", "--config", "{}", home=tmp_path / "bad")
    assert 'Missing required config entry "table" at the root' in line
