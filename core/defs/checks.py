"""Asset checks: functions that judge an asset's data right after it is materialized.

A check runs as its own step in the same run. A failing check with severity ERROR and
`blocking=True` skips everything downstream of its asset, as a failed step would.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_key import CHECK_NAME_RE, FIX, AssetKey, name_problem
from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.errors import DefinitionError, where_defined


class AssetCheckSeverity(enum.StrEnum):
    WARN = "WARN"
    ERROR = "ERROR"


@dataclass
class AssetCheckResult:
    passed: bool
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    metadata: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    check_name: str | None = None
    asset_key: Any = None


@dataclass(eq=False)
class AssetChecksDefinition:
    name: str
    asset_key: AssetKey
    fn: Callable[..., Any]
    params: FunctionParams
    blocking: bool = False
    description: str | None = None

    @property
    def step_key(self) -> str:
        return check_step_key(self.asset_key, self.name)

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<asset check {self.asset_key.to_user_string()}:{self.name}>"


def check_step_key(asset_key: AssetKey, name: str) -> str:
    return f"{asset_key.to_user_string()}:{name}"


def asset_check(
    fn: Callable[..., Any] | None = None,
    *,
    asset: Any = None,
    name: str | None = None,
    blocking: bool = False,
    description: str | None = None,
) -> Any:
    """`@asset_check(asset=orders)`: the function gets the asset's value (by its parameter named
    after the asset, or the first non-context parameter) and returns an AssetCheckResult."""

    def build(f: Callable[..., Any]) -> AssetChecksDefinition:
        if asset is None:
            raise TypeError(f"@asset_check on {f.__name__} needs asset=")
        problem = name_problem(name or f.__name__, CHECK_NAME_RE)
        if problem:  # as Dagster: the name becomes part of the check's step key
            file, line = where_defined(f)
            raise DefinitionError(
                f"check name {problem}", file=file, line=line, obj=f"asset check {f.__name__}", fix=FIX[CHECK_NAME_RE]
            )
        return AssetChecksDefinition(
            name=name or f.__name__,
            asset_key=AssetKey.from_coercible(asset),
            fn=f,
            params=read_params(f),
            blocking=blocking,
            description=description or (inspect.cleandoc(f.__doc__) if f.__doc__ else None),
        )

    return build(fn) if fn is not None else build


@dataclass(frozen=True)
class FreshnessPolicy:
    """The asset should have been materialized within the last `maximum_lag_minutes`."""

    maximum_lag_minutes: float

    @property
    def maximum_lag_seconds(self) -> float:
        return self.maximum_lag_minutes * 60.0


FRESHNESS_CHECK = "freshness"
