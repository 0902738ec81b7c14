"""`@asset`: a function that produces one named, stored piece of data."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from dagdeck.core.defs.asset_key import FIX, KEY_PART_RE, AssetKey, name_problem
from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.defs.results import RetryPolicy
from dagdeck.core.errors import DefinitionError, where_defined

DEFAULT_GROUP = "default"


@dataclass(frozen=True)
class AssetIn:
    """Name an upstream asset explicitly when the parameter name differs from its key."""

    key: Any = None
    key_prefix: str | Sequence[str] | None = None


@dataclass(eq=False)
class AssetsDefinition:
    key: AssetKey
    fn: Callable[..., Any]
    params: FunctionParams
    ins: dict[str, AssetIn] = field(default_factory=dict)
    deps: tuple[Any, ...] = ()
    group_name: str = DEFAULT_GROUP
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    retry_policy: RetryPolicy | None = None
    tags: dict[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    code_version: str | None = None
    io_manager_key: str = "io_manager"
    owners: tuple[str, ...] = ()
    transient: bool = False
    """Kept only while its run lasts: removed from storage once the run succeeds."""
    freshness_policy: Any = None

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_prefix(self) -> tuple[str, ...]:
        return self.key.path[:-1]

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Direct invocation runs the function, which makes assets easy to unit-test."""
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<asset {self.key.to_user_string()}>"


@overload
def asset(fn: Callable[..., Any]) -> AssetsDefinition: ...
@overload
def asset(
    fn: None = None, **kwargs: Any
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


def asset(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    key: Any = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Sequence[Any] | None = None,
    group_name: str | None = None,
    description: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    tags: Mapping[str, str] | None = None,
    kinds: Sequence[str] | None = None,
    code_version: str | None = None,
    io_manager_key: str | None = None,
    owners: Sequence[str] | None = None,
    transient: bool = False,
    freshness_policy: Any = None,
) -> Any:
    """Declare an asset. Works bare (`@asset`) and with arguments (`@asset(group_name="x")`)."""

    def build(f: Callable[..., Any]) -> AssetsDefinition:
        asset_key = _checked_key(f, name, key, key_prefix)
        doc = inspect.cleandoc(f.__doc__) if f.__doc__ else None
        return AssetsDefinition(
            key=asset_key,
            fn=f,
            params=read_params(f),
            ins=dict(ins or {}),
            deps=tuple(deps or ()),
            group_name=group_name or DEFAULT_GROUP,
            description=description or doc,
            metadata=dict(metadata or {}),
            retry_policy=retry_policy,
            tags=dict(tags or {}),
            kinds=frozenset(kinds or ()),
            code_version=code_version,
            io_manager_key=io_manager_key or "io_manager",
            owners=tuple(owners or ()),
            transient=transient,
            freshness_policy=freshness_policy,
        )

    if fn is not None:
        return build(fn)
    return build


def _checked_key(f: Callable[..., Any], name: str | None, key: Any, key_prefix: str | Sequence[str] | None) -> AssetKey:
    """The asset's key, each part checked before it becomes a path under storage/: a bad part is a
    load error naming the file, the asset and the fix (Dagster refuses the same names, except `.`
    and `..`, which it lets through and dagdeck does not)."""
    if key is not None:
        if isinstance(key, str):
            parts: list[Any] = [p for p in key.split("/") if p]
        elif isinstance(key, list | tuple):
            parts = list(key)
        else:
            parts = list(getattr(getattr(key, "key", key), "path", [key]))
    else:
        prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
        parts = [*prefix, name or f.__name__]
    for part in parts or [""]:
        problem = name_problem(part, KEY_PART_RE)
        if problem:
            file, line = where_defined(f)
            raise DefinitionError(
                f"asset key part {problem}", file=file, line=line, obj=f"asset {f.__name__}", fix=FIX[KEY_PART_RE]
            )
    return AssetKey(parts)
