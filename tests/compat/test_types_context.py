"""The step context: run, keys, partition errors, instance reads (issue 13, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import (
    cli_run,
    pipeline,
    run_record,
    stored_asset_value,
    stored_metadata,
    stored_op_output,
)


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_asset_context_reads_the_run_and_the_instance(tmp_path: Path, executor: str) -> None:
    """Dagster 1.13.28: materializing both succeeds; sales_report returns rows=42 (the latest
    materialization of raw_sales, read with context.instance.get_latest_materialization_event, from
    the same run), context.run.run_id == context.run_id, context.run.job_name == context.job_name,
    asset_key "sales_report", has_partition_key False, partition_key raising
    `DagsterInvariantViolationError: Cannot access partition_key for a non-partitioned run`,
    op_def.name "sales_report", None for a key never materialized, and get_asset_records([raw_sales])
    giving raw_sales' record, its last materialization from this run; asset_key_for_output() is
    sales_report and add_asset_metadata puts source_rows=42 on its materialization. (dagdeck: the same with each
    step in its own process.)"""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_context"), "materialize", "--executor", executor, home=home)
    assert run.status == "SUCCESS", run.doc
    assert stored_asset_value(home, "sales_report") == {
        "rows": 42,
        "asset_key_for_output": "sales_report",
        "same_run": True,
        "run_id_matches": True,
        "job_name": True,
        "asset_key": "sales_report",
        "has_partition_key": False,
        "partition_key": "DagsterInvariantViolationError: Cannot access partition_key for a non-partitioned run",
        "op_name": "sales_report",
        "missing": None,
        "records": [("raw_sales", True)],
    }
    assert stored_metadata(run_record(home, run.doc["run_id"]), "sales_report") == {"source_rows": 42}


def test_op_context_run_tags_and_asset_key_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: inspect_job succeeds; inspect_run sees job_name and run.job_name
    "inspect_job", run tags with team=analytics, `context.asset_key` raising
    `DagsterInvalidPropertyError: Op 'inspect_run' does not have an assets definition.`,
    asset_partition_key_for_output() raising "Failure condition: The output has no asset partitions",
    op.name "inspect_run", has_tag("team") True, get_tag "analytics" (None for a missing tag), and
    add_asset_metadata raising `AttributeError: 'OpExecutionContext' object has no attribute
    'add_asset_metadata'`."""
    home = tmp_path / "home"
    run = cli_run(pipeline("types_context"), "job", "run", "inspect_job", home=home)
    assert run.status == "SUCCESS", run.doc
    seen = stored_op_output(home, run.doc["run_id"], "inspect_run")
    assert seen["tags"]["team"] == "analytics"
    del seen["tags"]
    assert seen == {
        "has_tag": True,
        "get_tag": ["analytics", None],
        "add_asset_metadata": "AttributeError: 'OpExecutionContext' object has no attribute 'add_asset_metadata'",
        "job_name": "inspect_job",
        "run_job_name": "inspect_job",
        "asset_key": "DagsterInvalidPropertyError: Op 'inspect_run' does not have an assets definition.",
        "partition": "Failure condition: The output has no asset partitions",
        "op": "inspect_run",
    }
