"""`@asset`: a function that produces one named, stored piece of data, as an `AssetsDefinition`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from dagdeck.core.defs.asset_specs import NO_NAMES, AssetDep, AssetSpec
from dagdeck.core.defs.assets import (
    DEFAULT_OUTPUT,
    AssetIn,
    AssetsDefinition,
    checked_key,
    deps_of,
)
from dagdeck.core.defs.config_schema import read_config_schema
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.params import read_params
from dagdeck.core.defs.retries import RetryPolicy


@overload
def asset(fn: Callable[..., Any]) -> AssetsDefinition: ...
@overload
def asset(fn: None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


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
    hooks: Iterable[HookDefinition] | None = None,
    tags: Mapping[str, str] | None = None,
    op_tags: Mapping[str, Any] | None = None,
    kinds: Sequence[str] | None = None,
    code_version: str | None = None,
    io_manager_key: str | None = None,
    owners: Sequence[str] | None = None,
    transient: bool = False,
    freshness_policy: Any = None,
    config_schema: Any = None,
    dagster_type: Any = None,
    output_required: bool = True,
    check_specs: Sequence[Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    backfill_policy: Any = None,
) -> Any:
    """Declare an asset. Works bare (`@asset`) and with arguments (`@asset(group_name="x")`).
    `output_required=False`: the function may yield no `Output`; then the asset is not
    materialized and the assets downstream of it in the run are skipped."""

    def build(f: Callable[..., Any]) -> AssetsDefinition:
        asset_key = checked_key(f, name, key, key_prefix)
        doc = inspect.cleandoc(f.__doc__) if f.__doc__ else None
        spec = AssetSpec(
            asset_key,
            deps=[*deps_of(f, deps), *_nothing_ins(f, ins)],
            description=description or doc,
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            owners=owners,
            tags=tags,
            kinds=kinds,
            skippable=not output_required,
            partitions_def=partitions_def,
        )
        params = read_params(f)
        return AssetsDefinition(
            config_schema=read_config_schema(config_schema, f, params, f"asset {f.__name__}"),
            specs_by_key={asset_key: spec},
            fn=f,
            params=params,
            op_name="__".join(asset_key.path),
            output_names_by_key={asset_key: DEFAULT_OUTPUT},
            io_manager_keys_by_key={asset_key: io_manager_key} if io_manager_key else {},
            ins=dict(ins or {}),
            retry_policy=retry_policy,
            hooks=hook_set(hooks, f"asset {f.__name__!r}", f),
            op_tags={**(tags or {}), **(op_tags or {})},
            transient=transient,
            freshness_policy=freshness_policy,
            dagster_types={DEFAULT_OUTPUT: dagster_type} if dagster_type is not None else {},
            check_specs=tuple(check_specs or ()),
            required_resource_keys=frozenset(required_resource_keys)
            if required_resource_keys
            else NO_NAMES,
            resource_defs=dict(resource_defs or {}),
            backfill_policy=backfill_policy,
        )

    if fn is not None:
        return build(fn)
    return build


def _nothing_ins(f: Callable[..., Any], ins: Mapping[str, AssetIn] | None) -> list[AssetDep]:
    """`ins={"x": AssetIn(dagster_type=Nothing)}` not taken as a parameter: an order-only dependency."""
    if not ins:  # the common case: no signature to read (it costs ~15 us an asset at load)
        return []
    params = inspect.signature(f).parameters
    return [
        AssetDep(spec.upstream_key(name))
        for name, spec in (ins or {}).items()
        if name not in params and getattr(spec.dagster_type, "is_nothing", False)
    ]
