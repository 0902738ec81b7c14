"""`dagdeck backfill launch|list|show|cancel|retry-failed`: the id on stdout, one JSON document with
--json, usage errors as one line and exit 2; a real daemon launches the runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import json_of, one_line_error, run_dagdeck

from tests.faults.automation_helpers import daemon_process, wait_for

DEFS = """
import dagdeck as dg
from pathlib import Path

FAIL = Path(__file__).parent / "fail"

@dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-08"))
def orders(context):
    if FAIL.exists() and context.partition_key in FAIL.read_text().split():
        raise Exception("broken partition")
    return context.partition_key

@dg.asset
def plain():
    return 1

defs = dg.Definitions(assets=[orders, plain])
"""

JSON_KEYS = {
    "backfill_id",
    "status",
    "selection",
    "partitions_total",
    "partitions",
    "run_ids",
    "created_at",
    "ended_at",
}


@pytest.fixture
def defs(tmp_path: Path) -> Path:
    path = tmp_path / "defs.py"
    path.write_text(DEFS)
    return path


def test_launch_prints_the_id_and_show_lists_every_partition(home: Path, defs: Path) -> None:
    launched = run_dagdeck(
        "backfill",
        "launch",
        "--select",
        "orders",
        "--from",
        "2024-01-02",
        "--to",
        "2024-01-04",
        home=home,
        file=defs,
    )
    assert launched.returncode == 0, launched.stderr
    backfill_id = launched.stdout.strip()
    assert len(backfill_id) == 8
    assert "daemon" in launched.stderr  # no daemon runs: says who will launch it

    shown = json_of(run_dagdeck("backfill", "show", backfill_id[:5], "--json", home=home, file=defs))
    assert set(shown) >= JSON_KEYS
    assert shown["backfill_id"] == backfill_id and shown["status"] == "REQUESTED"
    assert shown["selection"] == "orders" and shown["partitions_total"] == 3
    assert shown["partitions"] == {"2024-01-02": "missing", "2024-01-03": "missing", "2024-01-04": "missing"}
    assert shown["run_ids"] == [] and shown["ended_at"] is None

    listed = json_of(run_dagdeck("backfill", "list", "--json", home=home, file=defs))
    assert [b["backfill_id"] for b in listed] == [backfill_id]
    text = run_dagdeck("backfill", "list", home=home, file=defs)
    assert backfill_id in text.stdout and "REQUESTED" in text.stdout and "3 missing" in text.stdout

    canceled = json_of(run_dagdeck("backfill", "cancel", backfill_id, "--json", home=home, file=defs))
    assert canceled["status"] == "CANCELED" and canceled["ended_at"] is not None


def test_all_partitions(home: Path, defs: Path) -> None:
    doc = json_of(
        run_dagdeck("backfill", "launch", "--select", "orders", "--all", "--json", home=home, file=defs)
    )
    assert doc["partitions_total"] == 7
    assert list(doc["partitions"]) == [f"2024-01-0{d}" for d in range(1, 8)]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("backfill", "launch", "--select", "orders", "--from", "2024-01-02"), "--from START --to END"),
        (("backfill", "launch", "--select", "orders", "--all", "--from", "2024-01-02"), "either --all"),
        (
            ("backfill", "launch", "--select", "orders", "--from", "2023-01-01", "--to", "2024-01-02"),
            "'2023-01-01'",
        ),
        (("backfill", "launch", "--select", "orders", "--from", "2024-01-05", "--to", "2024-01-02"), "swap"),
        (("backfill", "launch", "--select", "plain", "--all"), "plain is not partitioned"),
        (("backfill", "launch", "--select", "nothing_here", "--all"), "nothing_here"),
        (("backfill", "launch", "--from", "2024-01-01", "--to", "2024-01-02"), "--select"),
        (("backfill", "show", "ffffffff"), "no backfill 'ffffffff'"),
        (("backfill", "cancel", "ffffffff"), "no backfill 'ffffffff'"),
        (("backfill", "retry-failed", "ffffffff"), "no backfill 'ffffffff'"),
    ],
)
def test_usage_errors_are_one_line(home: Path, defs: Path, args: tuple[str, ...], fragment: str) -> None:
    assert fragment in one_line_error(run_dagdeck(*args, home=home, file=defs))


def test_daemon_runs_it_and_retry_failed_reruns_the_failed_partitions(
    home: Path, defs: Path, tmp_path: Path
) -> None:
    (tmp_path / "fail").write_text("2024-01-03")
    backfill_id = run_dagdeck(
        "backfill", "launch", "--select", "orders", "--all", home=home, file=defs
    ).stdout.strip()
    log = tmp_path / "daemon.log"
    refused = run_dagdeck("backfill", "retry-failed", backfill_id, home=home, file=defs)
    assert "wait for it to end" in one_line_error(refused)

    def ended(bid: str) -> dict[str, object] | None:
        doc = json_of(run_dagdeck("backfill", "show", bid, "--json", home=home, file=defs))
        return doc if doc["status"] not in ("REQUESTED", "IN_PROGRESS") else None

    with daemon_process(defs, home, log):
        first = wait_for("the backfill to end", lambda: ended(backfill_id), log)
        assert first["status"] == "FAILED"
        partitions = first["partitions"]
        assert isinstance(partitions, dict)
        assert partitions["2024-01-03"] == "failed"
        assert {k for k, v in partitions.items() if v == "materialized"} == set(partitions) - {"2024-01-03"}
        assert isinstance(first["run_ids"], list) and len(first["run_ids"]) == 7

        (tmp_path / "fail").write_text("")
        retried = run_dagdeck(
            "backfill",
            "retry-failed",
            backfill_id,
            "--partition",
            "2024-01-03",
            "--json",
            home=home,
            file=defs,
        )
        retry = json_of(retried)
        assert retry["partitions"] == {"2024-01-03": "missing"} and retry["parent_backfill_id"] == backfill_id
        second = wait_for("the retry to end", lambda: ended(str(retry["backfill_id"])), log)
        assert second["status"] == "COMPLETED"
        assert second["partitions"] == {"2024-01-03": "materialized"}

    nothing = run_dagdeck("backfill", "retry-failed", str(retry["backfill_id"]), home=home, file=defs)
    assert "no failed partitions" in one_line_error(nothing)
    ended_cancel = run_dagdeck("backfill", "cancel", backfill_id, home=home, file=defs)
    assert "is FAILED" in one_line_error(ended_cancel)


DYNAMIC = """
import dagdeck as dg

customers = dg.DynamicPartitionsDefinition(name="customers")

@dg.asset(partitions_def=customers)
def per_customer(context):
    return context.partition_key

defs = dg.Definitions(assets=[per_customer])
"""


def test_dynamic_partitions_come_from_the_instance(home: Path, tmp_path: Path) -> None:
    defs = tmp_path / "dynamic.py"
    defs.write_text(DYNAMIC)
    empty = run_dagdeck("backfill", "launch", "--select", "per_customer", "--all", home=home, file=defs)
    assert "no partitions to backfill" in one_line_error(empty)
    added = run_dagdeck("partitions", "add", "customers", "acme", "globex", home=home, file=defs)
    assert added.returncode == 0, added.stderr
    doc = json_of(
        run_dagdeck("backfill", "launch", "--select", "per_customer", "--all", "--json", home=home, file=defs)
    )
    assert doc["partitions"] == {"acme": "missing", "globex": "missing"}
