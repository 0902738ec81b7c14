"""`define_asset_job`: a named job that materializes a selection of assets."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.selection import AssetSelection, coerce_selection

ASSET_JOB_NAME = "__ASSET_JOB"
"""Job name of runs started by `materialize` rather than a named job."""


@dataclass(eq=False)
class UnresolvedAssetJob:
    name: str
    selection: AssetSelection
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    executor: Any = None
    defined_at: tuple[str | None, int | None] = (None, None)

    @property
    def source(self) -> tuple[str | None, int | None]:
        return self.defined_at

    def __repr__(self) -> str:
        return f"<asset job {self.name}>"


def define_asset_job(
    name: str,
    selection: Any = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
    executor_def: Any = None,
) -> UnresolvedAssetJob:
    frame = sys._getframe(1)
    return UnresolvedAssetJob(
        name=name,
        selection=AssetSelection.all() if selection is None else coerce_selection(selection),
        description=description,
        tags=dict(tags or {}),
        config=dict(config or {}),
        executor=executor_def,
        defined_at=(frame.f_code.co_filename, frame.f_lineno),
    )
