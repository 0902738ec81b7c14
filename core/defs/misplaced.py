"""Definitions passed in the wrong `Definitions(...)` list: say which list they belong in.

Dagster accepts an asset check in `assets=[...]` (its checks are assets definitions too), so
`sort_checks_out` moves those where they belong; every other mix-up is a load error with a fix.
"""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.asset_jobs import UnresolvedAssetJob
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.checks import AssetChecksDefinition
from dagdeck.core.defs.graphs import GraphDefinition, JobDefinition
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.errors import DefinitionError, where_defined

_KINDS: tuple[tuple[type, str, str], ...] = (
    (AssetChecksDefinition, "asset check", "asset_checks"),
    (AssetsDefinition, "asset", "assets"),
    (JobDefinition, "job", "jobs"),
    (UnresolvedAssetJob, "job", "jobs"),
    (ScheduleDefinition, "schedule", "schedules"),
    (SensorDefinition, "sensor", "sensors"),
)


def sort_checks_out(assets: list[Any]) -> tuple[list[Any], list[AssetChecksDefinition]]:
    """Asset checks found in `assets=[...]`, taken out (Dagster runs them as checks)."""
    checks = [a for a in assets if isinstance(a, AssetChecksDefinition)]
    return (
        ([a for a in assets if not isinstance(a, AssetChecksDefinition)], checks) if checks else (assets, [])
    )


def check_slot(items: list[Any], slot: str) -> None:
    """Raise for an item that another `Definitions(...)` list takes (a job in assets=, an asset
    in jobs=, a schedule in sensors=, ...), naming the item and the right list."""
    for item in items:
        kind = _kind(item)
        if kind is None or kind[1] == slot or (slot == "assets" and kind[1] == "asset_checks"):
            continue
        what, right = kind
        file, line = _where(item)
        hint = f"put it in {right}=[...]"
        if what == "asset" and slot == "jobs":
            hint += ", or make a job of it with dg.define_asset_job('name', selection=[...])"
        raise DefinitionError(
            f"{what} {_name(item)!r} is in {slot}=[...]", file=file, line=line, obj="Definitions", fix=hint
        )
    if slot == "jobs":
        for item in items:
            if isinstance(item, GraphDefinition) and not isinstance(item, JobDefinition):
                file, line = _where(item)
                raise DefinitionError(
                    f"graph {item.name!r} is in jobs=[...]",
                    file=file,
                    line=line,
                    obj="Definitions",
                    fix=f"pass {item.name}.to_job() (or decorate it with @job)",
                )


def _kind(item: Any) -> tuple[str, str] | None:
    for cls, what, slot in _KINDS:
        if isinstance(item, cls):
            return what, slot
    return None


def _name(item: Any) -> str:
    name = getattr(item, "name", None)
    if isinstance(name, str):
        return name
    keys = getattr(item, "keys", None)
    if keys:
        return ", ".join(k.to_user_string() for k in keys)
    return repr(item)


def _where(item: Any) -> tuple[str | None, int | None]:
    source = getattr(item, "source", None)
    if isinstance(source, tuple) and len(source) == 2:
        return source
    return where_defined(getattr(item, "fn", None))
