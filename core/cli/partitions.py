"""Partitions on the command line: `--partition KEY` / `--partition-range START...END` of
`materialize` (checked against the selected assets before a run exists: a bad key is a usage error
naming the key, the asset and the valid keys) and `dagdeck partitions add|delete|list DEF KEY...`
for dynamic partitions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import typer

from dagdeck.core.cli.context import cli_context
from dagdeck.core.cli.output import console, print_json
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.partitions.dynamic import DynamicPartitionsDefinition
from dagdeck.core.defs.partitions.multi import MultiPartitionsDefinition
from dagdeck.core.defs.partitions.run_partition import RunPartition
from dagdeck.core.errors import DagdeckError, did_you_mean
from dagdeck.core.running.run_partitions import check_partition, partitions_defs, require_partition

RANGE_SEPARATOR = "..."
PARTITION_HELP = "Run one partition of the selected partitioned assets."
RANGE_HELP = "Run a range of partitions in one run: START...END (both included)."

partitions_app = typer.Typer(
    help="Dynamic partitions: add, delete and list their keys.", no_args_is_help=True
)


def partition_tags(
    defs: Definitions,
    keys: Iterable[AssetKey],
    partition: str | None,
    partition_range: str | None,
    store: Any,
) -> dict[str, str]:
    """The run tags of `--partition` / `--partition-range` (Dagster's), checked against the assets."""
    if partition is None and partition_range is None:
        require_partition(defs, keys)
        return {}
    if partition is not None and partition_range is not None:
        raise DagdeckError("give --partition or --partition-range, not both")
    if partition_range is not None:
        start, sep, end = partition_range.partition(RANGE_SEPARATOR)
        if not sep or not start or not end:
            raise DagdeckError(
                f"--partition-range {partition_range!r} is not START...END (e.g. 2024-01-01...2024-01-07)"
            )
        run_partition = RunPartition(start, end)
    else:
        assert partition is not None
        run_partition = RunPartition(partition, partition)
    check_partition(defs, keys, run_partition, store)
    return run_partition.tags()


def job_partition_tags(defs: Definitions, job_name: str, partition: str, store: Any) -> dict[str, str]:
    """`job run NAME --partition KEY`: an op job checks the key against its own partitions, an
    asset job against its assets' (or its `partitions_def=`)."""
    run_partition = RunPartition(partition, partition)
    job = defs.op_jobs.get(job_name) or defs.asset_jobs.get(job_name)
    pdef = getattr(job, "partitions_def", None)
    if pdef is None and job_name in defs.asset_jobs:
        check_partition(defs, defs.asset_jobs[job_name].keys, run_partition, store)
        return run_partition.tags()
    if pdef is None:
        raise DagdeckError(f"job {job_name!r} is not partitioned; drop --partition")
    if not pdef.has_partition_key(partition, dynamic_partitions_store=store):
        raise DagdeckError(f"job {job_name!r} has no partition {partition!r}; {pdef.describe_keys(store)}")
    return run_partition.tags()


def _dynamic_defs(defs: Definitions) -> dict[str, DynamicPartitionsDefinition]:
    """Dynamic partitions definitions of the assets, by name (also inside multi-partitions)."""
    out: dict[str, DynamicPartitionsDefinition] = {}
    for pdef in partitions_defs(defs).values():
        parts = (
            [d.partitions_def for d in pdef.partitions_defs]
            if isinstance(pdef, MultiPartitionsDefinition)
            else [pdef]
        )
        for p in parts:
            if isinstance(p, DynamicPartitionsDefinition) and p.name:
                out[p.name] = p
    for job in getattr(defs, "asset_jobs", {}).values():
        p = getattr(job, "partitions_def", None)
        if isinstance(p, DynamicPartitionsDefinition) and p.name:
            out[p.name] = p
    return out


def _known_name(ctx: typer.Context, name: str) -> Any:
    state = cli_context(ctx)
    names = _dynamic_defs(state.loaded().defs)
    if name not in names:
        known = did_you_mean(name, list(names)) or (
            f"dynamic partitions: {', '.join(sorted(names))}" if names else "these definitions have none"
        )
        raise DagdeckError(f"no dynamic partitions definition {name!r}; {known}")
    return state


@partitions_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the DynamicPartitionsDefinition."),
    keys: list[str] = typer.Argument(..., help="Partition keys to add."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Add keys to a dynamic partitions definition (a key already there stays once)."""
    store = _known_name(ctx, name).instance().store
    added = store.add_dynamic_partitions(name, keys)
    _report(name, store.get_dynamic_partitions(name), added, [], as_json)


@partitions_app.command("delete")
def delete(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the DynamicPartitionsDefinition."),
    keys: list[str] = typer.Argument(..., help="Partition keys to delete."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Delete keys of a dynamic partitions definition; a key it does not have is a usage error."""
    store = _known_name(ctx, name).instance().store
    existing = store.get_dynamic_partitions(name)
    missing = [k for k in keys if k not in existing]
    if missing:
        raise DagdeckError(
            f"dynamic partitions {name!r} have no key {missing[0]!r}; keys: {', '.join(existing) or 'none'}"
        )
    for key in keys:
        store.delete_dynamic_partition(name, key)
    _report(name, store.get_dynamic_partitions(name), [], list(keys), as_json)


@partitions_app.command("list")
def list_keys(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the DynamicPartitionsDefinition."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """List the keys of a dynamic partitions definition, in the order they were added."""
    store = _known_name(ctx, name).instance().store
    _report(name, store.get_dynamic_partitions(name), [], [], as_json)


def _report(name: str, keys: list[str], added: list[str], deleted: list[str], as_json: bool) -> None:
    if as_json:
        print_json({"name": name, "partition_keys": keys, "added": added, "deleted": deleted})
        return
    if added:
        console.print(f"added {len(added)} to {name}: {', '.join(added)}", markup=False)
    if deleted:
        console.print(f"deleted {len(deleted)} from {name}: {', '.join(deleted)}", markup=False)
    console.print(f"{name}: {len(keys)} partitions" + (f" ({', '.join(keys)})" if keys else ""), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(partitions_app, name="partitions")
