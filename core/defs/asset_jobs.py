"""`define_asset_job`: a named job that materializes a selection of assets; and the jobs a schedule
or sensor `target=` makes."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.graphs import GraphDefinition, JobDefinition
from dagdeck.core.defs.selection import AssetSelection, coerce_selection
from dagdeck.core.errors import DefinitionError

ASSET_JOB_NAME = "__ASSET_JOB"
"""Job name of runs started by `materialize` rather than a named job."""

ANONYMOUS_JOB_PREFIX = "__anonymous_asset_job_"
"""Dagster's name for the job a schedule or sensor makes from an asset selection target."""


@dataclass(eq=False)
class UnresolvedAssetJob:
    name: str
    selection: AssetSelection
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    executor: Any = None
    defined_at: tuple[str | None, int | None] = (None, None)
    metadata: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[Any] = frozenset()
    op_retry_policy: Any = None
    partitions_def: Any = None
    """`partitions_def=`: the partitions its runs target (else the selected assets' own)."""

    @property
    def source(self) -> tuple[str | None, int | None]:
        return self.defined_at

    def __repr__(self) -> str:
        return f"<asset job {self.name}>"


def define_asset_job(
    name: str,
    selection: Any = None,
    config: Mapping[str, Any] | None = None,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    executor_def: Any = None,
    hooks: Any = None,
    op_retry_policy: Any = None,
    owners: Any = None,
    automation_condition: Any = None,
) -> UnresolvedAssetJob:
    """Dagster's signature. `selection` takes every form Dagster documents: an AssetSelection,
    a selection string (`a*`, `+a`, `group:x`, ...), asset keys or key strings, assets
    definitions, or a list of those."""
    frame = sys._getframe(1)
    where = (frame.f_code.co_filename, frame.f_lineno)
    for value, what in ((automation_condition, "automation_condition="),):
        if value is not None:
            raise DefinitionError(
                f"dagdeck does not support {what} yet",
                file=where[0],
                line=where[1],
                obj=f"job {name}",
                fix="drop it for now; docs/compatibility.md lists what is supported",
            )
    return UnresolvedAssetJob(
        name=name,
        selection=AssetSelection.all() if selection is None else coerce_selection(selection),
        description=description,
        tags={str(k): str(v) for k, v in {**(tags or {}), **(run_tags or {})}.items()},
        config=dict(config or {}),
        executor=executor_def,
        defined_at=where,
        metadata=dict(metadata or {}),
        hooks=frozenset(hooks or ()),
        op_retry_policy=op_retry_policy,
        partitions_def=partitions_def,
    )


def is_job(value: Any) -> bool:
    """A job a schedule or sensor can target: an op job or an asset job (not yet resolved)."""
    return isinstance(value, JobDefinition | UnresolvedAssetJob)


def as_job(value: Any) -> Any:
    """`job=` of a schedule or sensor: Dagster also takes a graph, as the job made of it."""
    return value.to_job() if isinstance(value, GraphDefinition) else value


def job_for_target(target: Any, owner_name: str, where: tuple[str | None, int | None]) -> Any:
    """The job behind `target=`: the job itself, or for an asset selection (a string, keys,
    assets, an AssetSelection) an asset job named as Dagster names it."""
    if is_job(target):
        return target
    if isinstance(target, GraphDefinition):
        return target.to_job()
    return UnresolvedAssetJob(
        name=f"{ANONYMOUS_JOB_PREFIX}{owner_name}", selection=coerce_selection(target), defined_at=where
    )
