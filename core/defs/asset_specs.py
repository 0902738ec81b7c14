"""Asset descriptions without a function: `AssetSpec` (one key and its attributes), `AssetOut` (one
output of a `multi_asset`), `AssetDep` (one upstream key of `deps=`) and `SourceAsset` (an asset
made outside dagdeck whose value an IO manager can still load).

They follow Dagster's signatures. A spec list passed to `Definitions(assets=...)` declares external
assets: shown in the graph, never run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey


def coerce_key(value: Any, key_prefix: str | Sequence[str] | None = None) -> AssetKey:
    """A key from an `AssetKey`, `a/b` string, list of parts, spec or asset definition, prefixed."""
    if isinstance(value, AssetDep):
        key = value.asset_key
    elif isinstance(value, AssetKey):
        key = value
    elif isinstance(value, str):
        key = AssetKey(value)
    elif isinstance(value, list | tuple):
        key = AssetKey(list(value))
    else:
        own = getattr(value, "key", None)
        if not isinstance(own, AssetKey):
            raise TypeError(f"cannot use {value!r} as an asset key")
        key = own
    return key.with_prefix(key_prefix) if key_prefix else key


NO_NAMES: frozenset[str] = frozenset()
"""Shared by every spec without kinds: one empty set instead of one per asset (load cost at scale)."""


def _prefix_parts(key_prefix: str | Sequence[str] | None) -> list[str]:
    return [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())


@dataclass(frozen=True, init=False, slots=True)
class AssetDep:
    """One upstream key of `deps=`: order only, no value passed in."""

    asset_key: AssetKey
    partition_mapping: Any = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self, asset: Any, *, partition_mapping: Any = None, metadata: Mapping[str, Any] | None = None
    ):
        object.__setattr__(self, "asset_key", coerce_key(asset))
        object.__setattr__(self, "partition_mapping", partition_mapping)
        object.__setattr__(self, "metadata", dict(metadata) if metadata else {})


def coerce_dep(value: Any) -> AssetDep:
    return value if isinstance(value, AssetDep) else AssetDep(value)


@dataclass(frozen=True, init=False, slots=True)
class AssetSpec:
    """One asset key and what is known about it: its upstream keys and its descriptive attributes."""

    key: AssetKey
    deps: tuple[AssetDep, ...] = ()
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    skippable: bool = False
    group_name: str | None = None
    code_version: str | None = None
    owners: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    automation_condition: Any = None
    partitions_def: Any = None
    freshness_policy: Any = None

    def __init__(
        self,
        key: Any,
        *,
        deps: Sequence[Any] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        skippable: bool = False,
        group_name: str | None = None,
        code_version: str | None = None,
        automation_condition: Any = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Sequence[str] | set[str] | None = None,
        partitions_def: Any = None,
        freshness_policy: Any = None,
        **_ignored: Any,
    ) -> None:
        set_ = object.__setattr__  # frozen: one call per field (a dict and a loop cost 2x at load)
        set_(self, "key", coerce_key(key))
        set_(self, "deps", tuple(coerce_dep(d) for d in deps) if deps else ())
        set_(self, "description", description)
        set_(self, "metadata", dict(metadata) if metadata else {})
        set_(self, "skippable", skippable)
        set_(self, "group_name", group_name)
        set_(self, "code_version", code_version)
        set_(self, "owners", tuple(owners) if owners else ())
        set_(self, "tags", dict(tags) if tags else {})
        set_(self, "kinds", frozenset(kinds) if kinds else NO_NAMES)
        set_(self, "automation_condition", automation_condition)
        set_(self, "partitions_def", partitions_def)
        set_(self, "freshness_policy", freshness_policy)

    def __hash__(self) -> int:
        return hash(self.key)

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        """A copy with the given attributes replaced (`deps` and `kinds` coerced as in the constructor)."""
        if "key" in changes:
            changes["key"] = coerce_key(changes["key"])
        if "deps" in changes:
            changes["deps"] = tuple(coerce_dep(d) for d in changes["deps"] or ())
        if "kinds" in changes:
            changes["kinds"] = frozenset(changes["kinds"] or ())
        if "owners" in changes:
            changes["owners"] = tuple(changes["owners"] or ())
        return replace(self, **changes)

    def merge_attributes(
        self,
        *,
        deps: Sequence[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Sequence[str] | set[str] | None = None,
    ) -> AssetSpec:
        """A copy with these added to the existing ones (Dagster's merge_attributes)."""
        return replace(
            self,
            deps=(*self.deps, *(coerce_dep(d) for d in deps or ())),
            metadata={**self.metadata, **(metadata or {})},
            owners=(*self.owners, *(o for o in owners or () if o not in self.owners)),
            tags={**self.tags, **(tags or {})},
            kinds=self.kinds | frozenset(kinds or ()),
        )

    def with_key_prefix(self, key_prefix: str | Sequence[str] | None, in_keys: set[AssetKey]) -> AssetSpec:
        """Prefixed key; deps on keys in `in_keys` (the same load) are prefixed too."""
        if not key_prefix:
            return self
        deps = tuple(
            AssetDep(
                d.asset_key.with_prefix(key_prefix),
                partition_mapping=d.partition_mapping,
                metadata=d.metadata,
            )
            if d.asset_key in in_keys
            else d
            for d in self.deps
        )
        return replace(self, key=self.key.with_prefix(key_prefix), deps=deps)


@dataclass(frozen=True)
class AssetOut:
    """One output of a `multi_asset`: the key it materializes (default: the output name) and its
    attributes."""

    key_prefix: str | Sequence[str] | None = None
    key: Any = None
    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    group_name: str | None = None
    code_version: str | None = None
    automation_condition: Any = None
    backfill_policy: Any = None
    owners: Sequence[str] | None = None
    tags: Mapping[str, str] | None = None
    kinds: Sequence[str] | set[str] | None = None
    freshness_policy: Any = None

    def to_spec(self, output_name: str, deps: Sequence[Any], group_name: str | None) -> AssetSpec:
        key = coerce_key(self.key) if self.key is not None else AssetKey([output_name])
        if self.key is None and self.key_prefix:
            key = AssetKey([*_prefix_parts(self.key_prefix), output_name])
        return AssetSpec(
            key,
            deps=deps,
            description=self.description,
            metadata=self.metadata,
            group_name=self.group_name or group_name,
            code_version=self.code_version,
            owners=self.owners,
            tags=self.tags,
            kinds=self.kinds,
            freshness_policy=self.freshness_policy,
            skippable=not self.is_required,
        )


class SourceAsset:
    """An asset made outside dagdeck: never run, but its value loads through `io_manager_key`
    when an asset names it as a parameter."""

    def __init__(
        self,
        key: Any,
        metadata: Mapping[str, Any] | None = None,
        io_manager_key: str | None = None,
        io_manager_def: Any = None,
        description: str | None = None,
        partitions_def: Any = None,
        group_name: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        observe_fn: Any = None,
        op_tags: Mapping[str, Any] | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        key_prefix: str | Sequence[str] | None = None,
        **_ignored: Any,
    ) -> None:
        self.key = coerce_key(key, key_prefix)
        self.metadata = dict(metadata or {})
        self.io_manager_key = io_manager_key or "io_manager"
        self.description = description
        self.group_name = group_name
        self.tags = dict(tags or {})
        self.partitions_def = partitions_def

    def to_spec(self) -> AssetSpec:
        return AssetSpec(
            self.key,
            description=self.description,
            metadata=self.metadata,
            group_name=self.group_name,
            tags=self.tags,
        )

    def with_key_prefix(self, key_prefix: str | Sequence[str] | None) -> SourceAsset:
        out = SourceAsset(self.key.with_prefix(key_prefix), io_manager_key=self.io_manager_key)
        out.metadata, out.description, out.group_name, out.tags = (
            self.metadata,
            self.description,
            self.group_name,
            self.tags,
        )
        return out

    def __repr__(self) -> str:
        return f"<source asset {self.key.to_user_string()}>"
