"""One run over a range of partitions (`--partition-range START...END`)."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli, cli_run, partition_materializations, pipeline

PIPELINE = pipeline("partitions_range")


def test_a_range_run_materializes_each_partition(tmp_path: Path) -> None:
    """Dagster 1.13.28: a run tagged dagster/asset_partition_range_start=2024-02-02 and _end=
    2024-02-05 succeeds; context.partition_key_range is 2024-02-02..2024-02-05, partition_keys has
    4 keys and the time window spans 96 hours; the run records one materialization per partition
    (2024-02-02, -03, -04, -05), each with that metadata. (Dagster's own CLI takes
    --partition-range only for assets with BackfillPolicy.single_run(); dagdeck runs the range.)"""
    home = tmp_path / "home"
    run = cli_run(
        PIPELINE,
        "materialize",
        "--select",
        "daily_load",
        "--partition-range",
        "2024-02-02...2024-02-05",
        home=home,
    )
    assert run.returncode == 0, run.stderr
    mats = partition_materializations(home, run.doc["run_id"], "daily_load")
    assert [p for p, _ in mats] == ["2024-02-02", "2024-02-03", "2024-02-04", "2024-02-05"]
    assert all(m == {"first": "2024-02-02", "last": "2024-02-05", "count": 4, "hours": 96} for _, m in mats)


def test_a_single_partition_is_a_range_of_one(tmp_path: Path) -> None:
    """Dagster 1.13.28: with partition_key="2024-02-03" the range is 2024-02-03..2024-02-03, one
    key, a 24-hour window, one materialization for 2024-02-03."""
    home = tmp_path / "home"
    run = cli_run(PIPELINE, "materialize", "--select", "daily_load", "--partition", "2024-02-03", home=home)
    assert run.returncode == 0, run.stderr
    assert partition_materializations(home, run.doc["run_id"], "daily_load") == [
        ("2024-02-03", {"first": "2024-02-03", "last": "2024-02-03", "count": 1, "hours": 24})
    ]


def test_a_range_outside_the_definition_is_a_usage_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: keys outside DailyPartitionsDefinition(2024-02-01..2024-02-10) raise
    DagsterUnknownPartitionError before a run; dagdeck's CLI exits 2 naming the key and asset."""
    bad = cli(
        PIPELINE,
        "materialize",
        "--select",
        "daily_load",
        "--partition-range",
        "2024-02-08...2024-03-01",
        home=tmp_path / "h",
    )
    assert bad.returncode == 2
    assert "'2024-03-01'" in bad.stderr and "'daily_load'" in bad.stderr
    shape = cli(
        PIPELINE,
        "materialize",
        "--select",
        "daily_load",
        "--partition-range",
        "2024-02-08",
        home=tmp_path / "h",
    )
    assert shape.returncode == 2 and "START...END" in shape.stderr
