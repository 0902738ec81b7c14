"""Collecting assets and checks from modules (`load_assets_from_modules` and friends), with
Dagster's `group_name=` and `key_prefix=`: a prefix renames the loaded keys and every dependency
between them, so the loaded assets still find each other."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_specs import AssetSpec, SourceAsset
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.checks import AssetChecksDefinition

Prefix = str | Sequence[str] | None


def _module_objects(modules: Iterable[ModuleType | dict[str, Any]], kinds: tuple[type, ...]) -> list[Any]:
    """Objects of `kinds` defined at module level (also inside lists and tuples), each once."""
    seen: set[int] = set()
    out: list[Any] = []
    for module in modules:
        namespace = module if isinstance(module, dict) else vars(module)
        for value in list(namespace.values()):
            items = value if isinstance(value, list | tuple) else (value,)
            for item in items:
                if isinstance(item, kinds) and id(item) not in seen:
                    seen.add(id(item))
                    out.append(item)
    return out


def load_assets_from_modules(
    modules: Iterable[ModuleType | dict[str, Any]],
    group_name: str | None = None,
    key_prefix: Prefix = None,
    *,
    source_key_prefix: Prefix = None,
    include_specs: bool = False,
    **_ignored: Any,
) -> list[Any]:
    """The assets (and source assets; specs with `include_specs=True`) defined in `modules`."""
    kinds: tuple[type, ...] = (
        (AssetsDefinition, SourceAsset, AssetSpec) if include_specs else (AssetsDefinition, SourceAsset)
    )
    found = _module_objects(list(modules), kinds)
    in_keys: set[AssetKey] = {k for a in found if isinstance(a, AssetsDefinition) for k in a.keys}
    out: list[Any] = []
    for a in found:
        if isinstance(a, AssetsDefinition):
            out.append(a.with_prefix_and_group(key_prefix=key_prefix, group_name=group_name, in_keys=in_keys))
        elif isinstance(a, SourceAsset):
            out.append(a.with_key_prefix(source_key_prefix) if source_key_prefix else a)
        else:
            spec = a.with_key_prefix(key_prefix, in_keys)
            out.append(spec.replace_attributes(group_name=group_name) if group_name else spec)
    return out


def load_assets_from_current_module(
    group_name: str | None = None,
    key_prefix: Prefix = None,
    *,
    source_key_prefix: Prefix = None,
    include_specs: bool = False,
    **_ignored: Any,
) -> list[Any]:
    """The assets of the module that calls this (read from its globals: a definitions file being
    loaded need not be in sys.modules yet)."""
    return load_assets_from_modules(
        [sys._getframe(1).f_globals],
        group_name,
        key_prefix,
        source_key_prefix=source_key_prefix,
        include_specs=include_specs,
    )


def _package_modules(package: ModuleType) -> list[ModuleType]:
    modules = [package]
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
        modules.append(importlib.import_module(info.name))
    return modules


def load_assets_from_package_module(
    package_module: ModuleType,
    group_name: str | None = None,
    key_prefix: Prefix = None,
    *,
    source_key_prefix: Prefix = None,
    include_specs: bool = False,
    **_ignored: Any,
) -> list[Any]:
    """The assets of a package and all its submodules."""
    return load_assets_from_modules(
        _package_modules(package_module),
        group_name,
        key_prefix,
        source_key_prefix=source_key_prefix,
        include_specs=include_specs,
    )


def load_assets_from_package_name(
    package_name: str, group_name: str | None = None, key_prefix: Prefix = None, **kwargs: Any
) -> list[Any]:
    return load_assets_from_package_module(
        importlib.import_module(package_name), group_name, key_prefix, **kwargs
    )


def load_asset_checks_from_modules(
    modules: Iterable[ModuleType | dict[str, Any]], asset_key_prefix: Prefix = None
) -> list[AssetChecksDefinition]:
    """The asset checks defined in `modules`, their asset keys prefixed with `asset_key_prefix`."""
    checks = _module_objects(list(modules), (AssetChecksDefinition,))
    if not asset_key_prefix:
        return checks
    return [replace(c, asset_key=c.asset_key.with_prefix(asset_key_prefix)) for c in checks]


def load_asset_checks_from_current_module(asset_key_prefix: Prefix = None) -> list[AssetChecksDefinition]:
    return load_asset_checks_from_modules([sys._getframe(1).f_globals], asset_key_prefix)


def load_asset_checks_from_package_module(
    package_module: ModuleType, asset_key_prefix: Prefix = None
) -> list[AssetChecksDefinition]:
    return load_asset_checks_from_modules(_package_modules(package_module), asset_key_prefix)
