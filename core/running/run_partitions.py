"""Partitions in a run: which assets are partitioned, what a step sees of the run's partition,
which upstream partitions an input reads, and the check that a requested key exists (a bad key is a
usage error naming the key, the asset and the valid keys, before any run starts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.partitions.base import PartitionKeyRange, PartitionsDefinition
from dagdeck.core.defs.partitions.dynamic import use_dynamic_partitions_store
from dagdeck.core.defs.partitions.mappings import default_mapping
from dagdeck.core.defs.partitions.run_partition import RunPartition, StepPartition
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.plan import Step

UNPARTITIONED_RUN = (
    "Failure condition: Has a PartitionsDefinition, so should either have a partition key or a "
    "partition key range"
)


class PartitionKeyError(DagdeckError):
    """A partition key (or range) the selected assets do not have."""


class _Env(Protocol):
    partition: RunPartition | None
    partitions_defs: dict[AssetKey, Any]
    partitions_store: Any
    asset_metadata: Mapping[AssetKey, Any] | None


def partitions_defs(defs: Definitions) -> dict[AssetKey, PartitionsDefinition]:
    """Asset key -> partitions definition, for the partitioned assets of `defs` only."""
    return {
        key: node.spec.partitions_def
        for key, node in defs.asset_graph.assets.items()
        if node.spec.partitions_def is not None
    }


def dynamic_store(instance: Any) -> Any:
    """The store dynamic partitions definitions read their keys from in this process."""
    store = getattr(instance, "store", None)
    if store is not None:
        use_dynamic_partitions_store(store)
    return store


def step_asset_key(step: Step) -> AssetKey | None:
    if step.asset_key is not None:
        return step.asset_key
    return next(iter(step.output_asset_keys.values()), None) if step.output_asset_keys else None


def step_partition(step: Step, env: _Env) -> StepPartition | None:
    """What the step's context answers about the run's partition (the run is partitioned)."""
    assert env.partition is not None
    key = step_asset_key(step)
    pdef = env.partitions_defs.get(key) if key is not None else None
    if pdef is None and env.partitions_defs and key is not None:
        return None  # an unpartitioned asset in a partitioned run: Dagster's unpartitioned answers
    return StepPartition(env.partition, pdef or _job_partitions_def(env), env.partitions_store)


def _job_partitions_def(env: _Env) -> PartitionsDefinition | None:
    return getattr(env, "job_partitions_def", None)


def job_partitions_def(defs: Definitions, job_name: str) -> PartitionsDefinition | None:
    """The partitions definition a job declares (`job(partitions_def=)`, a partitioned config)."""
    job = defs.op_jobs.get(job_name) if job_name in defs.op_jobs else None
    return getattr(job, "partitions_def", None)


def output_partition_keys(env: _Env, asset_key: AssetKey | None) -> list[str] | None:
    """The partition keys an asset output of this run is stored and recorded under (None: the
    asset or the run is unpartitioned)."""
    if env.partition is None or asset_key is None:
        return None
    pdef = env.partitions_defs.get(asset_key)
    if pdef is None:
        return None
    return env.partition.keys(pdef, env.partitions_store)


def input_partition_keys(env: _Env, step: Step, upstream: AssetKey) -> list[str] | None:
    """The upstream partitions this step reads (None: the upstream is unpartitioned): the
    mapping of its `AssetIn` / `AssetDep` (or Dagster's default) applied to the run's keys."""
    up_def = env.partitions_defs.get(upstream)
    if up_def is None:
        return None
    down_key = step_asset_key(step)
    down_def = env.partitions_defs.get(down_key) if down_key is not None else None
    down_keys = env.partition.keys(down_def, env.partitions_store) if env.partition and down_def else []
    mapping = _mapping(env, down_key, upstream) or default_mapping(down_def, up_def)
    return mapping.upstream_keys(down_keys, down_def, up_def, env.partitions_store)


def _mapping(env: _Env, down_key: AssetKey | None, upstream: AssetKey) -> Any:
    node = env.asset_metadata.get(down_key) if env.asset_metadata and down_key is not None else None
    if node is None:
        return None
    for name, asset_in in getattr(node.definition, "ins", {}).items():
        if asset_in.partition_mapping is not None and asset_in.upstream_key(name) == upstream:
            return asset_in.partition_mapping
    for dep in node.spec.deps:
        if dep.asset_key == upstream and dep.partition_mapping is not None:
            return dep.partition_mapping
    return None


def require_partition(defs: Definitions, keys: Iterable[AssetKey]) -> None:
    """Partitioned assets run one partition (or range) at a time: a selection holding one needs a
    partition, as Dagster's CLI says."""
    by_asset = partitions_defs(defs)
    partitioned = sorted(k.to_user_string() for k in keys if k in by_asset)
    if partitioned:
        raise PartitionKeyError(
            f"Asset has partitions, but no '--partition' option was provided ({', '.join(partitioned[:3])}"
            f"{', ...' if len(partitioned) > 3 else ''}); pass --partition KEY or --partition-range START...END"
        )


def check_partition(
    defs: Definitions, keys: Iterable[AssetKey], partition: RunPartition | None, store: Any = None
) -> None:
    """Raise PartitionKeyError when the selected assets cannot run for `partition`: a key they do
    not have, a range whose ends they lack, or partitioned assets of different definitions."""
    if partition is None:
        return
    if store is not None:
        use_dynamic_partitions_store(store)
    by_asset = partitions_defs(defs)
    selected = [(k, by_asset[k]) for k in keys if k in by_asset]
    for key, pdef in selected:
        for end in dict.fromkeys((partition.start, partition.end)):
            if not pdef.has_partition_key(end, dynamic_partitions_store=store):
                raise PartitionKeyError(
                    f"asset {key.to_user_string()!r} has no partition {end!r}; "
                    f"{pdef.describe_keys(dynamic_partitions_store=store)}"
                )
        if partition.single is None:
            keys_in = pdef.get_partition_keys_in_range(
                PartitionKeyRange(partition.start, partition.end), store
            )
            if not keys_in:
                raise PartitionKeyError(
                    f"range {partition.describe()!r} of asset {key.to_user_string()!r} is empty"
                )
