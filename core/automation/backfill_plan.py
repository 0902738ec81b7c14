"""Planning a backfill: which partitions (the selection's one partitions definition, a range of its
keys), how they group into runs (`BackfillPolicy`), and the Dagster tags each run of a chunk carries.
The daemon's pass (`backfills`) launches what is planned here."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.backfill_policy import combined_partitions_per_run
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.errors import DagdeckError
from dagdeck.core.statuses import BACKFILL_ACTIVE, BackfillStatus
from dagdeck.store import Backfill

BACKFILL_TAG = "dagster/backfill"
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARENT_TAG = "dagster/parent_backfill_id"
ROOT_TAG = "dagster/root_backfill_id"

ACTIVE = [str(s) for s in BACKFILL_ACTIVE]
"""Backfill statuses as stored, for the store's compare-and-set calls."""


class BackfillError(DagdeckError):
    """A backfill that cannot be planned, found, canceled or retried: one line with the fix."""


def partitions_def_of(defs: Definitions, keys: Iterable[AssetKey]) -> Any:
    """The one partitions definition every selected asset shares; BackfillError otherwise."""
    found: Any = None
    owner: AssetKey | None = None
    for key in sorted(keys, key=str):
        node = defs.asset_graph.assets[key]
        pdef = getattr(node.spec, "partitions_def", None) or getattr(node.definition, "partitions_def", None)
        if pdef is None:
            raise BackfillError(
                f"asset {key} is not partitioned; a backfill selects partitioned assets only "
                "(materialize it with `dagdeck materialize`)"
            )
        if found is None:
            found, owner = pdef, key
        elif pdef is not found and pdef != found:
            raise BackfillError(
                f"assets {owner} and {key} have different partitions; backfill them separately"
            )
    if found is None:
        raise BackfillError("the selection matches no assets; see `dagdeck assets list`")
    return found


def partitions_per_run(defs: Definitions, keys: Iterable[AssetKey]) -> int | None:
    """Partitions per run from the selected assets' `backfill_policy` (None: all in one run)."""
    policies = [getattr(defs.asset_graph.assets[k].definition, "backfill_policy", None) for k in keys]
    return combined_partitions_per_run(policies)


def partition_range(all_keys: Sequence[str], start: str | None, end: str | None) -> list[str]:
    """The keys from `start` to `end` (both included, in the definition's order); None: an open end."""
    positions = {k: i for i, k in enumerate(all_keys)}
    first, last = 0, len(all_keys) - 1
    shown = f"{all_keys[0]} ... {all_keys[-1]}" if all_keys else "none"
    for name, key in (("--from", start), ("--to", end)):
        if key is not None and key not in positions:
            raise BackfillError(f"{name} {key!r} is not a partition of the selection (partitions: {shown})")
    if start is not None:
        first = positions[start]
    if end is not None:
        last = positions[end]
    if first > last:
        raise BackfillError(f"--from {start!r} comes after --to {end!r}; swap them")
    return list(all_keys[first : last + 1])


def new_backfill(
    defs: Definitions,
    location: CodeLocation,
    select: str,
    keys: Iterable[AssetKey],
    partition_keys: Sequence[str],
    *,
    tags: Mapping[str, str] | None = None,
    parent_backfill_id: str | None = None,
    per_run: int | None | bool = False,
) -> Backfill:
    """The REQUESTED record of a backfill (not stored yet). `per_run=False`: from the policies."""
    asset_keys = sorted({AssetKey.from_coercible(k) for k in keys}, key=str)
    if not partition_keys:
        raise BackfillError("no partitions to backfill; give --from/--to within the partitions, or --all")
    size = partitions_per_run(defs, asset_keys) if per_run is False else per_run
    return Backfill(
        backfill_id=new_id(),
        status=BackfillStatus.REQUESTED,
        selection={"select": select, "assets": [k.to_user_string() for k in asset_keys]},
        partition_keys=list(partition_keys),
        partitions_per_run=None if size is None else int(size),
        tags=dict(tags or {}),
        location=location.to_dict(),
        created_at=time.time(),
        parent_backfill_id=parent_backfill_id,
    )


def new_id() -> str:
    """Short like Dagster's backfill ids (8 letters), from a uuid."""
    return uuid.uuid4().hex[:8]


def chunks(backfill: Backfill) -> list[list[str]]:
    """The partitions of each run the backfill launches, in order."""
    keys = list(backfill.partition_keys)
    size = backfill.partitions_per_run
    if size is None or size >= len(keys):
        return [keys] if keys else []
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def chunk_tags(backfill_id: str, keys: Sequence[str], ranged: bool) -> dict[str, str]:
    """Dagster's tags for a backfill run: the partition, or (when a policy groups partitions, even
    a last chunk of one) the first and last of the range."""
    tags = {BACKFILL_TAG: backfill_id}
    if not ranged:
        tags[PARTITION_TAG] = keys[0]
    else:
        tags[RANGE_START_TAG] = keys[0]
        tags[RANGE_END_TAG] = keys[-1]
    return tags
