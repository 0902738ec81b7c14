"""What a step function can return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Output:
    """A value with metadata; `output_name` picks one of an op's outputs."""

    value: Any
    output_name: str = "result"
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class MaterializeResult:
    """An asset that wrote its data itself: metadata only, nothing is stored by the IO manager."""

    metadata: dict[str, Any] = field(default_factory=dict)
    asset_key: Any = None
