"""Asset checks: functions that judge an asset's data right after it is materialized.

A check runs as its own step in the same run. A failing check with severity ERROR and
`blocking=True` skips everything downstream of its asset, as a failed step would.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dagdeck.core.defs.asset_key import CHECK_NAME_RE, FIX, AssetKey, name_problem
from dagdeck.core.defs.check_specs import AssetCheckKey, AssetCheckSpec
from dagdeck.core.defs.context import StepContext
from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.errors import DefinitionError, where_defined

AssetCheckExecutionContext = StepContext
"""The `context` of a check function: a step context (`context.log`, resources, run id...)."""


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
    runner: str | None = None
    """Declared by an `AssetCheckSpec`: the step that evaluates it (its asset's step, or its
    `@multi_asset_check`'s); None when the check is a step of its own."""
    multi: MultiAssetChecksDefinition | None = None
    """The `@multi_asset_check` that evaluates it, if one does."""

    @property
    def step_key(self) -> str:
        return self.runner or check_step_key(self.asset_key, self.name)

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<asset check {self.asset_key.to_user_string()}:{self.name}>"


@dataclass(eq=False, repr=False)
class MultiAssetChecksDefinition(AssetChecksDefinition):
    """`@multi_asset_check(specs=[...])`: one function, run as one step named after it, that
    evaluates several checks (of one or several assets) and yields a result for each."""

    specs: tuple[AssetCheckSpec, ...] = ()
    can_subset: bool = False

    @property
    def step_key(self) -> str:
        return self.name

    @property
    def check_keys(self) -> list[AssetCheckKey]:
        return [s.key for s in self.specs]

    def checks(self) -> list[AssetChecksDefinition]:
        """One check per spec, each evaluated by this function's step."""
        return [spec_check(s, self.fn, self.params, self.name, self) for s in self.specs]

    def __repr__(self) -> str:
        return f"<multi asset check {self.name}>"


class DagsterAssetCheckFailedError(Exception):
    """A blocking check with severity ERROR failed in the step that evaluates it (Dagster's name)."""


def spec_check(
    spec: AssetCheckSpec,
    fn: Callable[..., Any],
    params: FunctionParams,
    runner: str,
    multi: MultiAssetChecksDefinition | None = None,
) -> AssetChecksDefinition:
    """The check an `AssetCheckSpec` declares, evaluated by the step `runner`."""
    return AssetChecksDefinition(
        name=spec.name,
        asset_key=spec.asset_key,
        fn=fn,
        params=params,
        blocking=spec.blocking,
        description=spec.description,
        runner=runner,
        multi=multi,
    )


def multi_asset_check(
    *,
    specs: Any,
    name: str | None = None,
    description: str | None = None,
    can_subset: bool = False,
    **_ignored: Any,
) -> Callable[[Callable[..., Any]], MultiAssetChecksDefinition]:
    """`@multi_asset_check(specs=[AssetCheckSpec(...), ...])`: the function yields an
    `AssetCheckResult(asset_key=..., check_name=..., passed=...)` per spec."""

    def build(f: Callable[..., Any]) -> MultiAssetChecksDefinition:
        file, line = where_defined(f)
        obj = f"multi_asset_check {name or f.__name__}"
        given = list(specs or ())
        bad = [s for s in given if not isinstance(s, AssetCheckSpec)]
        if bad or not given:
            raise DefinitionError(
                f"specs entry {bad[0]!r} is not an AssetCheckSpec" if bad else "declares no checks",
                file=file,
                line=line,
                obj=obj,
                fix='pass specs=[dg.AssetCheckSpec("name", asset=...)]',
            )
        for s in given:
            problem = name_problem(s.name, CHECK_NAME_RE)
            if problem:
                raise DefinitionError(
                    f"check name {problem}", file=file, line=line, obj=obj, fix=FIX[CHECK_NAME_RE]
                )
        if len({s.key for s in given}) < len(given):
            raise DefinitionError(
                "declares a check twice", file=file, line=line, obj=obj, fix="rename one check"
            )
        return MultiAssetChecksDefinition(
            name=name or f.__name__,
            asset_key=given[0].asset_key,
            fn=f,
            params=read_params(f),
            description=description or (inspect.cleandoc(f.__doc__) if f.__doc__ else None),
            specs=tuple(given),
            can_subset=can_subset,
        )

    return build


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
            raise DefinitionError.at(
                f,
                f"check name {problem}",
                obj=f"asset check {f.__name__}",
                fix=FIX[CHECK_NAME_RE],
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
    """The asset should have been materialized within the last `maximum_lag_minutes`. Dagster 1.13
    writes `FreshnessPolicy.time_window(fail_window=timedelta(...), warn_window=...)`; the keyword
    form is dagdeck's older spelling, kept for existing definitions."""

    maximum_lag_minutes: float
    warn_lag_minutes: float | None = None

    @classmethod
    def time_window(cls, fail_window: timedelta, warn_window: timedelta | None = None) -> FreshnessPolicy:
        """Late once `fail_window` has passed since the last materialization."""
        file, line = _caller_of_time_window()
        for name, window in (("fail_window", fail_window), ("warn_window", warn_window)):
            if window is not None and (not isinstance(window, timedelta) or window <= timedelta(0)):
                raise DefinitionError(
                    f"FreshnessPolicy.time_window {name} must be a positive timedelta, got {window!r}",
                    file=file,
                    line=line,
                    fix=f"pass {name}=datetime.timedelta(hours=1)",
                )
        if warn_window is not None and warn_window >= fail_window:
            raise DefinitionError(
                "warn_window must be less than fail_window",
                file=file,
                line=line,
                fix="make warn_window shorter than fail_window, or leave it out",
            )
        warn = warn_window.total_seconds() / 60 if warn_window is not None else None
        return cls(maximum_lag_minutes=fail_window.total_seconds() / 60, warn_lag_minutes=warn)

    @property
    def fail_window(self) -> timedelta:
        return timedelta(minutes=self.maximum_lag_minutes)

    @property
    def warn_window(self) -> timedelta | None:
        return None if self.warn_lag_minutes is None else timedelta(minutes=self.warn_lag_minutes)

    @property
    def maximum_lag_seconds(self) -> float:
        return self.maximum_lag_minutes * 60.0


def _caller_of_time_window() -> tuple[str | None, int | None]:
    frame = inspect.currentframe()
    outer = frame.f_back.f_back if frame is not None and frame.f_back is not None else None
    return (outer.f_code.co_filename, outer.f_lineno) if outer is not None else (None, None)


FRESHNESS_CHECK = "freshness"
