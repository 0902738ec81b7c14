"""Multi-partitions: a date and a region dimension, keys joined with `|`."""

from __future__ import annotations

from pathlib import Path

from compat_helpers import cli_run, load, partition_materializations, pipeline

import dagdeck as dg

PIPELINE = pipeline("partitions_multi")


def test_keys_are_the_product_of_the_dimensions_in_name_order() -> None:
    """Dagster 1.13.28: the keys are 2024-01-01|eu, 2024-01-01|us, 2024-01-02|eu, ... (dimensions
    sorted by name, date outermost); MultiPartitionKey({"region": "eu", "date": "2024-01-03"}) is
    the string "2024-01-03|eu" with keys_by_dimension {"date": ..., "region": ...}."""
    defs = load(PIPELINE)
    pdef = next(iter(defs.asset_graph.assets.values())).spec.partitions_def
    assert list(pdef.get_partition_keys()) == [
        "2024-01-01|eu",
        "2024-01-01|us",
        "2024-01-02|eu",
        "2024-01-02|us",
        "2024-01-03|eu",
        "2024-01-03|us",
    ]
    key = dg.MultiPartitionKey({"region": "eu", "date": "2024-01-03"})
    assert key == "2024-01-03|eu"
    assert key.keys_by_dimension == {"date": "2024-01-03", "region": "eu"}


def test_a_multi_partition_run_sees_each_dimension(tmp_path: Path) -> None:
    """Dagster 1.13.28: `materialize(partition_key="2024-01-02|us")` succeeds; context.partition_key
    is a MultiPartitionKey with keys_by_dimension {date: 2024-01-02, region: us}; the
    materialization records partition "2024-01-02|us" and is stored at
    regional_orders/2024-01-02/us (one folder per dimension)."""
    home = tmp_path / "home"
    run = cli_run(
        PIPELINE, "materialize", "--select", "regional_orders", "--partition", "2024-01-02|us", home=home
    )
    assert run.returncode == 0, run.stderr
    [(partition, metadata)] = partition_materializations(home, run.doc["run_id"], "regional_orders")
    assert partition == "2024-01-02|us"
    assert {k: metadata[k] for k in ("date", "region", "key")} == {
        "date": "2024-01-02",
        "region": "us",
        "key": "2024-01-02|us",
    }
    assert metadata["path"] == str(home / "storage" / "regional_orders" / "2024-01-02" / "us")
