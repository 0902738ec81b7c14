"""Daily partitions through the CLI: one run per partition key, one stored value per partition,
a time-window partition mapping that reads a range as a dict, and the usage errors of bad keys."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, partition_materializations, pipeline, stored_partition_value

PIPELINE = pipeline("partitions_daily")


def _materialize(home: Path, select: str, key: str):  # noqa: ANN202 - CliRun
    return cli_run(PIPELINE, "materialize", "--select", select, "--partition", key, home=home)


def test_each_partition_is_a_run_with_its_own_stored_value(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize([orders], partition_key=k)` succeeds for 2024-01-01..03; the
    run is tagged dagster/partition=k, context.partition_key is k (its time window starts that day),
    the materialization records partition k, and the filesystem IO manager writes
    `<base>/orders/<k>` (values 1, 2, 3)."""
    home = tmp_path / "home"
    for key in ("2024-01-01", "2024-01-02", "2024-01-03"):
        run = _materialize(home, "orders", key)
        assert run.returncode == 0, run.stderr
        assert run.steps == {"orders": "succeeded"}
        [(partition, metadata)] = partition_materializations(home, run.doc["run_id"], "orders")
        assert partition == key
        assert metadata["path"] == str(home / "storage" / "orders" / key)
    assert [
        stored_partition_value(home, "orders", k) for k in ("2024-01-01", "2024-01-02", "2024-01-03")
    ] == [1, 2, 3]


def test_time_window_mapping_loads_a_range_as_a_dict(tmp_path: Path) -> None:
    """Dagster 1.13.28: with `TimeWindowPartitionMapping(start_offset=-1)`, partition 2024-01-03 of
    the downstream asset receives {'2024-01-02': 2, '2024-01-03': 3} (its value 5, days=2), and
    partition 2024-01-01, whose day before does not exist, receives the single value 1 (days=1)."""
    home = tmp_path / "home"
    for key in ("2024-01-01", "2024-01-02", "2024-01-03"):
        assert _materialize(home, "orders", key).returncode == 0
    run = _materialize(home, "two_day_orders", "2024-01-03")
    assert run.returncode == 0, run.stderr
    assert partition_materializations(home, run.doc["run_id"], "two_day_orders")[0][1]["days"] == 2
    assert stored_partition_value(home, "two_day_orders", "2024-01-03") == 5
    first = _materialize(home, "two_day_orders", "2024-01-01")
    assert first.returncode == 0, first.stderr
    assert partition_materializations(home, first.doc["run_id"], "two_day_orders")[0][1]["days"] == 1
    assert stored_partition_value(home, "two_day_orders", "2024-01-01") == 1


def test_unpartitioned_downstream_reads_every_partition(tmp_path: Path) -> None:
    """Dagster 1.13.28: an unpartitioned asset downstream of the daily one fails while partitions
    are missing (loading input "orders": no file for 2024-01-04), and once all seven exist it
    receives them as a dict and returns 28."""
    home = tmp_path / "home"
    for key in ("2024-01-01", "2024-01-02", "2024-01-03"):
        assert _materialize(home, "orders", key).returncode == 0
    failed = cli_run(PIPELINE, "materialize", "--select", "all_orders", home=home)
    assert failed.returncode == 1
    assert failed.steps == {"all_orders": "failed"}
    assert "2024-01-04" in json.dumps(failed.doc)
    for key in ("2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"):
        assert _materialize(home, "orders", key).returncode == 0
    run = cli_run(PIPELINE, "materialize", "--select", "all_orders", home=home)
    assert run.returncode == 0, run.stderr
    from compat_helpers import stored_asset_value

    assert stored_asset_value(home, "all_orders") == 28


def test_bad_or_missing_partition_key_is_a_usage_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dagster asset materialize --select orders --partition 2030-01-01` fails
    before any run (All selected assets must have a PartitionsDefinition containing the passed
    partition key `2030-01-01`...), and without --partition it fails with "Asset has partitions,
    but no '--partition' option was provided"."""
    home = tmp_path / "home"
    bad = cli(PIPELINE, "materialize", "--select", "orders", "--partition", "2030-01-01", home=home)
    assert bad.returncode == 2
    assert "'2030-01-01'" in bad.stderr and "'orders'" in bad.stderr
    assert "2024-01-01 ... 2024-01-07" in bad.stderr
    missing = cli(PIPELINE, "materialize", "--select", "orders", home=home)
    assert missing.returncode == 2
    assert "no '--partition' option was provided" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr


def test_runs_are_filtered_by_partition_and_assets_show_counts_partitions(tmp_path: Path) -> None:
    """Dagster 1.13.28: each run carries the tag dagster/partition=<key>, and
    `get_run_records(RunsFilter(tags={"dagster/partition": "2024-01-02"}))` finds just that run;
    the asset has 7 partitions, 2 of them materialized."""
    home = tmp_path / "home"
    runs = {k: _materialize(home, "orders", k).doc["run_id"] for k in ("2024-01-01", "2024-01-02")}
    listed = cli(PIPELINE, "runs", "list", "--partition", "2024-01-02", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    assert [r["run_id"] for r in json.loads(listed.stdout)] == [runs["2024-01-02"]]
    shown = cli(PIPELINE, "assets", "show", "orders", "--json", home=home)
    partitions = json.loads(shown.stdout)["partitions"]
    assert {k: partitions[k] for k in ("total", "materialized", "failed", "in_progress", "missing")} == {
        "total": 7,
        "materialized": 2,
        "failed": 0,
        "in_progress": 0,
        "missing": 5,
    }
    latest = partitions["latest_by_partition"]
    assert sorted(latest) == ["2024-01-01", "2024-01-02"]
    assert latest["2024-01-02"]["run_id"] == runs["2024-01-02"]
