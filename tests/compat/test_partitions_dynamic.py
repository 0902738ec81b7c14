"""Dynamic partitions: keys added at run time by the CLI or by a sensor's
`SensorResult(dynamic_partitions_requests=...)`, stored in the instance."""

from __future__ import annotations

import json
from pathlib import Path

from compat_helpers import cli, cli_run, pipeline, stored_partition_value

PIPELINE = pipeline("partitions_dynamic")


def test_keys_added_and_deleted_in_the_instance(tmp_path: Path) -> None:
    """Dagster 1.13.28: `instance.add_dynamic_partitions("files", ["a.csv"])` makes
    get_dynamic_partitions("files") == ["a.csv"]; then `materialize(partition_key="a.csv")`
    succeeds with "A.CSV", an unknown key raises DagsterUnknownPartitionError (Could not find a
    partition with key `zzz`), and after delete_dynamic_partition the list is empty."""
    home = tmp_path / "home"
    added = cli(PIPELINE, "partitions", "add", "files", "a.csv", "--json", home=home)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["partition_keys"] == ["a.csv"]
    run = cli_run(PIPELINE, "materialize", "--select", "processed_file", "--partition", "a.csv", home=home)
    assert run.returncode == 0, run.stderr
    assert stored_partition_value(home, "processed_file", "a.csv") == "A.CSV"
    unknown = cli(PIPELINE, "materialize", "--select", "processed_file", "--partition", "zzz", home=home)
    assert unknown.returncode == 2
    assert "'zzz'" in unknown.stderr and "'processed_file'" in unknown.stderr
    deleted = cli(PIPELINE, "partitions", "delete", "files", "a.csv", "--json", home=home)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["partition_keys"] == []


def test_unknown_definition_name_is_a_usage_error(tmp_path: Path) -> None:
    """Dagster 1.13.28: keys belong to a DynamicPartitionsDefinition by its name ("files");
    dagdeck's CLI refuses a name no definition has (exit 2, naming the known ones)."""
    bad = cli(PIPELINE, "partitions", "add", "filez", "x", home=tmp_path / "home")
    assert bad.returncode == 2
    assert "'filez'" in bad.stderr and "files" in bad.stderr


def test_sensor_adds_partitions_and_requests_their_runs(tmp_path: Path) -> None:
    """Dagster 1.13.28: the sensor's first evaluation returns run requests for partition keys
    a.csv and b.csv and AddDynamicPartitionsRequest(partitions_def_name="files",
    partition_keys=["a.csv", "b.csv"]); once a.csv exists it asks only for b.csv. dagdeck adds the
    keys before launching, so both runs succeed and both partitions are materialized."""
    home = tmp_path / "home"
    tick = cli(PIPELINE, "sensors", "tick", "new_files_sensor", "--launch", "--json", home=home)
    assert tick.returncode == 0, tick.stderr
    doc = json.loads(tick.stdout)
    assert [r["tags"]["dagster/partition"] for r in doc["requests"]] == ["a.csv", "b.csv"]
    assert len(doc["run_ids"]) == 2
    listed = cli(PIPELINE, "partitions", "list", "files", "--json", home=home)
    assert json.loads(listed.stdout)["partition_keys"] == ["a.csv", "b.csv"]
    shown = json.loads(cli(PIPELINE, "assets", "show", "processed_file", "--json", home=home).stdout)
    assert (shown["partitions"]["total"], shown["partitions"]["materialized"]) == (2, 2)
    again = json.loads(cli(PIPELINE, "sensors", "tick", "new_files_sensor", "--json", home=home).stdout)
    assert again["requests"] == []
