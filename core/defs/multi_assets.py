"""`@multi_asset`: one function, run as one step, that materializes several asset keys, one per
output (`outs={name: AssetOut(...)}`) or one per `AssetSpec` (`specs=[...]`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from dagdeck.core.defs.asset_key import FIX, NAME_RE, AssetKey, name_problem
from dagdeck.core.defs.asset_specs import AssetOut, AssetSpec
from dagdeck.core.defs.assets import AssetIn, AssetsDefinition, check_key_parts, deps_of
from dagdeck.core.defs.config_schema import read_config_schema
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.params import read_params
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.errors import DefinitionError, where_defined


def multi_asset(
    *,
    outs: Mapping[str, AssetOut] | None = None,
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Sequence[Any] | None = None,
    description: str | None = None,
    config_schema: Any = None,
    required_resource_keys: Any = None,
    internal_asset_deps: Mapping[str, set[AssetKey]] | None = None,
    partitions_def: Any = None,
    hooks: Iterable[HookDefinition] | None = None,
    backfill_policy: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    can_subset: bool = False,
    resource_defs: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    retry_policy: RetryPolicy | None = None,
    code_version: str | None = None,
    specs: Sequence[AssetSpec] | None = None,
    check_specs: Any = None,
    pool: str | None = None,
    **_ignored: Any,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare several assets made by one function. It returns a tuple in `outs` order, or yields
    `Output(value, output_name=...)` / `MaterializeResult(asset_key=...)` per asset."""

    def build(f: Callable[..., Any]) -> AssetsDefinition:
        file, line = where_defined(f)
        op_name = name or f.__name__
        obj = f"multi_asset {op_name}"
        if name_problem(op_name, NAME_RE):
            raise DefinitionError(
                f"name {name_problem(op_name, NAME_RE)}", file=file, line=line, obj=obj, fix=FIX[NAME_RE]
            )
        if outs and specs:
            raise DefinitionError(
                "takes outs= or specs=, not both",
                file=file,
                line=line,
                obj=obj,
                fix="describe the assets one way",
            )
        shared_deps = deps_of(f, deps)
        dagster_types: dict[str, Any] = {}
        by_key: dict[AssetKey, AssetSpec] = {}
        output_names: dict[AssetKey, str] = {}
        io_managers: dict[AssetKey, str] = {}
        if specs:
            for spec in specs:
                if not isinstance(spec, AssetSpec):
                    raise DefinitionError(
                        f"specs entry {spec!r} is not an AssetSpec",
                        file=file,
                        line=line,
                        obj=obj,
                        fix="use AssetSpec(key)",
                    )
                if group_name and spec.group_name is None:
                    spec = spec.replace_attributes(group_name=group_name)
                if shared_deps:
                    spec = spec.merge_attributes(deps=shared_deps)
                _add(by_key, output_names, spec, "__".join(spec.key.path), f, obj)
        else:
            for out_name, out in (outs or {}).items():
                if name_problem(out_name, NAME_RE):
                    raise DefinitionError(
                        f"output name {name_problem(out_name, NAME_RE)}",
                        file=file,
                        line=line,
                        obj=obj,
                        fix=FIX[NAME_RE],
                    )
                if not isinstance(out, AssetOut):
                    raise DefinitionError(
                        f"outs[{out_name!r}] is not an AssetOut",
                        file=file,
                        line=line,
                        obj=obj,
                        fix="use AssetOut()",
                    )
                spec_deps = list(shared_deps)
                if internal_asset_deps and out_name in internal_asset_deps:
                    spec_deps = list(internal_asset_deps[out_name])
                spec = out.to_spec(out_name, spec_deps, group_name)
                if code_version and spec.code_version is None:
                    spec = spec.replace_attributes(code_version=code_version)
                _add(by_key, output_names, spec, out_name, f, obj)
                io_managers[spec.key] = out.io_manager_key or "io_manager"
                if out.dagster_type is not None:
                    dagster_types[out_name] = out.dagster_type
        if partitions_def is not None:  # one partitions def for all its assets, as in Dagster
            by_key = {k: s.replace_attributes(partitions_def=partitions_def) for k, s in by_key.items()}
        if not by_key:
            raise DefinitionError(
                "declares no assets",
                file=file,
                line=line,
                obj=obj,
                fix="pass outs={name: AssetOut()} or specs=[...]",
            )
        params = read_params(f)
        return AssetsDefinition(
            config_schema=read_config_schema(config_schema, f, params, obj),
            specs_by_key=by_key,
            fn=f,
            params=params,
            op_name=op_name,
            output_names_by_key=output_names,
            io_manager_keys_by_key={k: io_managers.get(k, "io_manager") for k in by_key},
            ins=dict(ins or {}),
            retry_policy=retry_policy,
            hooks=hook_set(hooks, obj, f),
            op_tags=dict(op_tags or {}),
            can_subset=can_subset,
            multi=True,
            dagster_types=dagster_types,
            check_specs=tuple(check_specs or ()),
            required_resource_keys=frozenset(required_resource_keys or ()),
            resource_defs=dict(resource_defs or {}),
            backfill_policy=backfill_policy,
        )

    return build


def _add(
    by_key: dict[AssetKey, AssetSpec],
    output_names: dict[AssetKey, str],
    spec: AssetSpec,
    out_name: str,
    f: Callable[..., Any],
    obj: str,
) -> None:
    check_key_parts(f, spec.key.path, obj)
    if spec.key in by_key:
        raise DefinitionError.at(
            f,
            f"asset key {spec.key.to_user_string()!r} appears twice",
            obj=obj,
            fix="give each output its own key",
        )
    by_key[spec.key] = spec
    output_names[spec.key] = out_name
