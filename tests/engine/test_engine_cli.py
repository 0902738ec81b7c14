"""The CLI contract: `--json` shapes, metadata round trip, run config, exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import STEP_STATUSES, assert_iso_tz, parse_json, run_cli_parallel, steps_by_key

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]

DEFS = """
import dagdeck as dg


class SummaryConfig(dg.Config):
    factor: int = 1


@dg.asset(group_name="sales", description="Orders from the shop.", kinds=["python"])
def orders(context):
    context.log.info("fetched orders")
    return dg.Output(
        [10, 20, 30],
        metadata={
            "rows": 3,
            "avg_price": 20.5,
            "complete": True,
            "missing": None,
            "columns": ["id", "price"],
            "readme": dg.MetadataValue.md("# Orders\\n*all* of them"),
            "source": dg.MetadataValue.url("https://shop.example/api"),
            "file": dg.MetadataValue.path("/data/orders.csv"),
            "schema": dg.MetadataValue.json({"id": "int", "nested": [1, {"a": None}]}),
            "preview": dg.MetadataValue.table([{"id": 1, "price": 10}, {"id": 2, "price": 20}]),
            "fetched_at": dg.MetadataValue.timestamp(1700000000.25),
        },
    )


@dg.asset(group_name="sales")
def summary(orders, config: SummaryConfig):
    return dg.MaterializeResult(metadata={"total": sum(orders) * config.factor})


@dg.asset
def fragile():
    raise RuntimeError("fragile broke")


@dg.asset
def after_fragile(fragile):
    return fragile


@dg.op
def make():
    return 2


@dg.op
def square(x):
    return x * x


@dg.job(description="ops")
def op_job():
    square(make())


defs = dg.Definitions(
    assets=[orders, summary, fragile, after_fragile],
    jobs=[
        op_job,
        dg.define_asset_job("sales_job", selection="group:sales"),
        dg.define_asset_job("fragile_job", selection="fragile*"),
    ],
)
"""

EXPECTED_ORDERS_METADATA: dict[str, Any] = {
    "rows": 3,
    "avg_price": 20.5,
    "complete": True,
    "missing": None,
    "columns": ["id", "price"],
    "readme": "# Orders\n*all* of them",
    "source": "https://shop.example/api",
    "file": "/data/orders.csv",
    "schema": {"id": "int", "nested": [1, {"a": None}]},
    "preview": {"columns": ["id", "price"], "rows": [[1, 10], [2, 20]]},
    "fetched_at": 1700000000.25,
}

RUN_KEYS = {"run_id", "job", "status", "parent_run_id", "created_at", "started_at", "ended_at", "steps", "materializations"}
STEP_KEYS = {"key", "status", "started_at", "ended_at", "duration_s", "attempts", "error"}
MAT_KEYS = {"asset_key", "step_key", "timestamp", "metadata"}


@pytest.fixture
def defs_file(write_defs: WriteDefs) -> Path:
    return write_defs(DEFS)


def assert_run_document(doc: dict[str, Any], status: str) -> None:
    assert set(doc) >= RUN_KEYS, set(doc)
    assert doc["status"] == status
    assert isinstance(doc["run_id"], str) and len(doc["run_id"]) >= 8
    for k in ("created_at", "started_at", "ended_at"):
        assert_iso_tz(doc[k])
    assert assert_iso_tz(doc["created_at"]) <= assert_iso_tz(doc["started_at"]) <= assert_iso_tz(doc["ended_at"])
    for step in doc["steps"]:
        assert set(step) >= STEP_KEYS, step
        assert step["status"] in STEP_STATUSES
        if step["status"] in ("succeeded", "failed"):
            assert_iso_tz(step["started_at"])
            assert_iso_tz(step["ended_at"])
            assert isinstance(step["duration_s"], float) and step["duration_s"] >= 0
            assert step["attempts"] >= 1
    for mat in doc["materializations"]:
        assert set(mat) >= MAT_KEYS, mat
        assert_iso_tz(mat["timestamp"])
        assert isinstance(mat["metadata"], dict)


def test_materialize_json_metadata_round_trip_and_asset_views(cli: Cli, defs_file: Path, home: Path) -> None:
    config = json.dumps({"ops": {"summary": {"config": {"factor": 2}}}})
    first = cli("materialize", "--select", "+summary", "--config", config, "--json", home=home, file=defs_file)
    assert first.returncode == 0, first.stderr
    run1 = parse_json(first)
    assert_run_document(run1, "SUCCESS")
    assert run1["job"] == "__ASSET_JOB" and run1["parent_run_id"] is None
    assert [(s["key"], s["status"], s["attempts"], s["error"]) for s in run1["steps"]] == [
        ("orders", "succeeded", 1, None),
        ("summary", "succeeded", 1, None),
    ]
    mats = {m["asset_key"]: m for m in run1["materializations"]}
    assert mats["orders"]["step_key"] == "orders"
    stored_orders = {**EXPECTED_ORDERS_METADATA, "path": str((home / "storage" / "orders").resolve())}
    assert mats["orders"]["metadata"] == stored_orders  # `path`: the filesystem IO manager's, as Dagster's
    assert mats["summary"]["metadata"] == {"total": 120}

    second = cli("materialize", "--select", "summary", "--json", home=home, file=defs_file)
    assert second.returncode == 0, second.stderr
    run2 = parse_json(second)
    assert parse_json(second)["materializations"][0]["metadata"] == {"total": 60}  # default factor, stored orders

    show, orders_show, summary_show, assets, runs = run_cli_parallel(
        [
            ("runs", "show", run1["run_id"][:8], "--json"),
            ("assets", "show", "orders", "--json"),
            ("assets", "show", "summary", "--json"),
            ("assets", "list", "--json"),
            ("runs", "list", "--json"),
        ],
        home=home,
        file=defs_file,
    )
    assert parse_json(show) == run1  # the same document, found by id prefix

    orders_doc = parse_json(orders_show)
    assert {"key", "group", "description", "deps", "dependents", "latest", "history"} <= set(orders_doc)
    assert orders_doc["key"] == "orders" and orders_doc["group"] == "sales"
    assert orders_doc["description"] == "Orders from the shop."
    assert orders_doc["deps"] == [] and orders_doc["dependents"] == ["summary"]
    assert set(orders_doc["latest"]) >= {"run_id", "timestamp", "metadata"}
    assert orders_doc["latest"]["run_id"] == run1["run_id"]
    assert orders_doc["latest"]["metadata"] == stored_orders
    assert_iso_tz(orders_doc["latest"]["timestamp"])

    summary_doc = parse_json(summary_show)
    assert summary_doc["deps"] == ["orders"]
    assert [h["run_id"] for h in summary_doc["history"]] == [run2["run_id"], run1["run_id"]]  # newest first
    assert [h["metadata"] for h in summary_doc["history"]] == [{"total": 60}, {"total": 120}]
    assert summary_doc["latest"] == summary_doc["history"][0]

    rows = {r["key"]: r for r in parse_json(assets)}
    assert list(rows) == ["fragile", "orders", "after_fragile", "summary"]
    for r in rows.values():
        assert {"key", "group", "deps", "latest_status", "last_materialized_at"} <= set(r)
    assert rows["summary"]["deps"] == ["orders"] and rows["summary"]["group"] == "sales"
    assert rows["fragile"]["last_materialized_at"] is None
    assert rows["fragile"]["latest_status"] != rows["orders"]["latest_status"]
    assert_iso_tz(rows["orders"]["last_materialized_at"])

    listed = parse_json(runs)
    assert [r["run_id"] for r in listed] == [run2["run_id"], run1["run_id"]]  # newest first
    for r in listed:
        assert {"run_id", "job", "status", "trigger", "created_at", "started_at", "ended_at"} <= set(r)
        assert (r["status"], r["trigger"], r["job"]) == ("SUCCESS", "cli", "__ASSET_JOB")
        for k in ("created_at", "started_at", "ended_at"):
            assert_iso_tz(r[k])


def test_job_run_json_success_and_failure_exit_codes(cli: Cli, defs_file: Path, home: Path) -> None:
    ok, failed, plain_failed, jobs = run_cli_parallel(
        [
            ("job", "run", "op_job", "--json"),
            ("job", "run", "fragile_job", "--json"),
            ("materialize", "--select", "fragile"),
            ("job", "list", "--json"),
        ],
        home=home,
        file=defs_file,
    )
    assert ok.returncode == 0, ok.stderr
    doc = parse_json(ok)
    assert_run_document(doc, "SUCCESS")
    assert doc["job"] == "op_job"
    assert [(s["key"], s["status"]) for s in doc["steps"]] == [("make", "succeeded"), ("square", "succeeded")]
    assert doc["materializations"] == []

    assert failed.returncode == 1, failed.stderr
    bad = parse_json(failed)
    assert_run_document(bad, "FAILURE")
    steps = steps_by_key(bad)
    assert steps["fragile"]["status"] == "failed"
    assert steps["fragile"]["error"] == "RuntimeError: fragile broke"
    assert steps["after_fragile"]["status"] == "skipped"
    assert steps["after_fragile"]["attempts"] == 0 and steps["after_fragile"]["started_at"] is None

    assert plain_failed.returncode == 1
    assert "FAILURE" in plain_failed.stdout and "fragile broke" in plain_failed.stdout
    assert "Traceback" not in plain_failed.stderr

    listed = {j["name"]: j for j in parse_json(jobs)}
    assert set(listed) == {"op_job", "sales_job", "fragile_job"}
    assert (listed["op_job"]["kind"], listed["op_job"]["steps"]) == ("ops", 2)
    assert (listed["sales_job"]["kind"], listed["sales_job"]["steps"]) == ("assets", 2)


INVALID_CONFIGS: list[tuple[str, list[str]]] = [
    ('{"ops": {"summary": {"config": {"factor": "lots"}}}}', ["summary", "factor", "SummaryConfig"]),
    ('{"ops": {"summary": {"config": {"factr": 2}}}}', ["summary", "factr", "factor"]),
    ('{"ops": {"sumary": {"config": {}}}}', ["unknown step 'sumary'", "did you mean 'summary'"]),
    ("{not json", ["--config is not valid JSON"]),
    ("[1, 2]", ["--config must be a JSON object"]),
]


def test_invalid_run_config_exits_2_before_any_run(defs_file: Path, home: Path) -> None:
    procs = run_cli_parallel(
        [("job", "run", "sales_job", "--config", config) for config, _ in INVALID_CONFIGS]
        + [("materialize", "--select", "summary", "--config", INVALID_CONFIGS[0][0])],
        home=home,
        file=defs_file,
    )
    for proc, (config, expected) in zip(procs, [*INVALID_CONFIGS, INVALID_CONFIGS[0]], strict=True):
        assert proc.returncode == 2, (config, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        for fragment in expected:
            assert fragment in proc.stderr, (config, fragment, proc.stderr)
    (listed,) = run_cli_parallel([("runs", "list", "--json")], home=home, file=defs_file)
    assert listed.stdout.strip() == "[]"  # validation happened before any run was created
