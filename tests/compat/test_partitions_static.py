"""Static partitions (regions) through the CLI: identity mapping by default, a StaticPartitionMapping
onto continents, and a failed partition counted as failed."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, load, partition_materializations, pipeline, stored_partition_value

PIPELINE = pipeline("partitions_static")


def test_static_keys_and_identity_mapping(tmp_path: Path) -> None:
    """Dagster 1.13.28: the keys are us-east, us-west, eu-north in that order; materializing
    region_sales and region_report per region succeeds and region_report of each region reads the
    same region's sales: "us-east: 10", "us-west: 20", "eu-north: 5"."""
    defs = load(PIPELINE)
    node = defs.asset_graph.assets[
        next(k for k in defs.asset_graph.assets if k.to_user_string() == "region_sales")
    ]
    assert list(node.spec.partitions_def.get_partition_keys()) == ["us-east", "us-west", "eu-north"]
    home = tmp_path / "home"
    for region in ("us-east", "us-west", "eu-north"):
        run = cli_run(
            PIPELINE,
            "materialize",
            "--select",
            "region_sales,region_report",
            "--partition",
            region,
            home=home,
        )
        assert run.returncode == 0, run.stderr
        assert run.steps == {"region_sales": "succeeded", "region_report": "succeeded"}
    assert [stored_partition_value(home, "region_report", r) for r in ("us-east", "us-west", "eu-north")] == [
        "us-east: 10",
        "us-west: 20",
        "eu-north: 5",
    ]


def test_static_partition_mapping_reads_the_mapped_regions(tmp_path: Path) -> None:
    """Dagster 1.13.28: with StaticPartitionMapping({us-east: america, us-west: america, eu-north:
    europe}), continent_sales for "america" receives {us-east: 10, us-west: 20} (total 30, stored at
    continent_sales/america) and for "europe" the single value 5."""
    home = tmp_path / "home"
    for region in ("us-east", "us-west", "eu-north"):
        assert (
            cli_run(
                PIPELINE, "materialize", "--select", "region_sales", "--partition", region, home=home
            ).returncode
            == 0
        )
    run = cli_run(PIPELINE, "materialize", "--select", "continent_sales", "--partition", "america", home=home)
    assert run.returncode == 0, run.stderr
    [(partition, metadata)] = partition_materializations(home, run.doc["run_id"], "continent_sales")
    assert partition == "america"
    assert metadata["total"] == 30
    assert metadata["path"] == str(home / "storage" / "continent_sales" / "america")
    europe = cli_run(
        PIPELINE, "materialize", "--select", "continent_sales", "--partition", "europe", home=home
    )
    assert europe.returncode == 0, europe.stderr
    assert stored_partition_value(home, "continent_sales", "europe") == 5


def test_a_failed_partition_is_reported_failed(tmp_path: Path) -> None:
    """Dagster 1.13.28: region_audit raises Failure for eu-north (sales 5): that run fails with
    region_sales succeeded and region_audit failed; us-east succeeds; the instance then has
    us-east materialized and eu-north among the failed partitions of region_audit."""
    home = tmp_path / "home"
    ok = cli_run(
        PIPELINE, "materialize", "--select", "region_sales,region_audit", "--partition", "us-east", home=home
    )
    assert ok.returncode == 0, ok.stderr
    bad = cli_run(
        PIPELINE, "materialize", "--select", "region_sales,region_audit", "--partition", "eu-north", home=home
    )
    assert bad.returncode == 1
    assert bad.steps == {"region_sales": "succeeded", "region_audit": "failed"}
    shown = json.loads(cli(PIPELINE, "assets", "show", "region_audit", "--json", home=home).stdout)[
        "partitions"
    ]
    assert (shown["total"], shown["materialized"], shown["failed"], shown["missing"]) == (3, 1, 1, 1)
    assert list(shown["latest_by_partition"]) == ["us-east"]
