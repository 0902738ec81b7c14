"""What a step function can return or yield: outputs, and the events it reports along the way.

`Output[T]` and `MaterializeResult[T]` are generic, so `-> dg.Output[int]` checks the value as
`int`. `AssetMaterialization`, `AssetObservation` and `ExpectationResult` are events a step yields or
passes to `context.log_event`; they are recorded in the run's event log, nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from dagdeck.core.defs.asset_key import AssetKey

T = TypeVar("T")


class _NoValue:
    """`MaterializeResult(value=...)` not given: the asset stored its data itself."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


@dataclass(init=False)
class Output(Generic[T]):
    """A value with metadata; `output_name` picks one of an op's outputs."""

    value: Any
    output_name: str = "result"
    metadata: dict[str, Any] = field(default_factory=dict)
    data_version: Any = None
    tags: dict[str, str] = field(default_factory=dict)

    def __init__(
        self,
        value: T,
        output_name: str = "result",
        metadata: Mapping[str, Any] | None = None,
        data_version: Any = None,
        *,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata = dict(metadata or {})
        self.data_version = data_version
        self.tags = dict(tags or {})


@dataclass(init=False)
class MaterializeResult(Generic[T]):
    """An asset's result without a stored value (it wrote its data itself), unless `value=` is given,
    which the IO manager then stores like a returned value."""

    asset_key: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    check_results: list[Any] = field(default_factory=list)
    data_version: Any = None
    tags: dict[str, str] = field(default_factory=dict)
    value: Any = NO_VALUE

    def __init__(
        self,
        asset_key: Any = None,
        metadata: Mapping[str, Any] | None = None,
        check_results: Sequence[Any] | None = None,
        data_version: Any = None,
        tags: Mapping[str, str] | None = None,
        value: Any = NO_VALUE,
    ) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.metadata = dict(metadata or {})
        self.check_results = list(check_results or ())
        self.data_version = data_version
        self.tags = dict(tags or {})
        self.value = value

    @property
    def has_value(self) -> bool:
        return self.value is not NO_VALUE


@dataclass(init=False)
class _AssetEvent:
    """An asset event a step reports: its key (any key, defined or not), description, metadata."""

    asset_key: AssetKey
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    partition: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def __init__(
        self,
        asset_key: Any,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        partition: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.asset_key = _event_key(asset_key)
        self.description = description
        self.metadata = dict(metadata or {})
        self.partition = partition
        self.tags = dict(tags or {})

    @property
    def label(self) -> str:
        return self.asset_key.to_user_string()


def _event_key(asset_key: Any) -> AssetKey:
    """A string key of an asset event is split at `.` as well as `/` (`"s3.my_asset"` is
    `s3/my_asset`), Dagster's legacy parsing kept for these two events only."""
    if isinstance(asset_key, str):
        return AssetKey([p for p in re.split(r"[./]", asset_key) if p] or asset_key)
    return AssetKey.from_coercible(asset_key)


class AssetMaterialization(_AssetEvent):
    """Report that a step wrote an asset: recorded as that asset's materialization."""


class AssetObservation(_AssetEvent):
    """Report what a step saw of an asset without writing it: recorded, never a materialization."""


@dataclass
class ExpectationResult:
    """A data-quality expectation a step evaluated: recorded as an event, never fails the step."""

    success: bool
    label: str | None = None
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.metadata = dict(self.metadata or {})


STEP_EVENT_TYPES = (AssetMaterialization, AssetObservation, ExpectationResult)
"""What a step may yield or pass to `context.log_event` besides its outputs."""


class DagsterInvariantViolationError(Exception):
    """A step returned or yielded something its outputs cannot take (Dagster's name and wording)."""


class DagsterStepOutputNotFoundError(DagsterInvariantViolationError):
    """A step finished without yielding one of its required outputs."""
