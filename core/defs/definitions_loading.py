"""`load_definitions_from_module(s)` and friends: a Definitions of everything a module (or a
package's modules) defines at top level, as Dagster collects them: assets and source assets,
asset checks, jobs, schedules and sensors."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from dagdeck.core.defs.asset_jobs import UnresolvedAssetJob
from dagdeck.core.defs.asset_loading import _package_modules as package_modules
from dagdeck.core.defs.asset_loading import load_asset_checks_from_modules, load_assets_from_modules
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.graphs import JobDefinition
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import SensorDefinition

Namespace = ModuleType | dict[str, Any]


def _found(modules: Iterable[Namespace], kinds: tuple[type, ...]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for module in modules:
        for value in list((module if isinstance(module, dict) else vars(module)).values()):
            if isinstance(value, kinds) and id(value) not in seen:
                seen.add(id(value))
                out.append(value)
    return out


def load_definitions_from_modules(
    modules: Iterable[Namespace],
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    modules = list(modules)
    return Definitions(
        assets=load_assets_from_modules(modules, include_specs=True),
        asset_checks=load_asset_checks_from_modules(modules),
        jobs=_found(modules, (JobDefinition, UnresolvedAssetJob)),
        schedules=_found(modules, (ScheduleDefinition,)),
        sensors=_found(modules, (SensorDefinition,)),
        resources=resources,
        loggers=loggers,
        executor=executor,
    )


def load_definitions_from_module(
    module: ModuleType,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    return load_definitions_from_modules([module], resources, loggers, executor)


def load_definitions_from_current_module(
    resources: Mapping[str, Any] | None = None, loggers: Mapping[str, Any] | None = None, executor: Any = None
) -> Definitions:
    """Of the calling module, read from its globals (a file being loaded need not be in sys.modules)."""
    return load_definitions_from_modules([sys._getframe(1).f_globals], resources, loggers, executor)


def load_definitions_from_package_module(
    package_module: ModuleType,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    return load_definitions_from_modules(package_modules(package_module), resources, loggers, executor)


def load_definitions_from_package_name(
    package_name: str,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    return load_definitions_from_package_module(
        importlib.import_module(package_name), resources, loggers, executor
    )
