"""The arguments of `Definitions(...)` as given, and how `Definitions.merge` joins several."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dagdeck.core.errors import DefinitionError


@dataclass
class DefinitionsArgs:
    """`Definitions`' keyword arguments, lists flattened; field names are the keywords."""

    assets: list[Any]
    schedules: list[Any]
    sensors: list[Any]
    jobs: list[Any]
    resources: dict[str, Any]
    executor: Any
    loggers: dict[str, Any]
    asset_checks: list[Any]
    metadata: dict[str, Any]


def merged_args(sets: Sequence[DefinitionsArgs]) -> DefinitionsArgs:
    """Lists joined in order (an object in several sets counts once). A resource or logger key two sets give different objects, or two
    different executors, is an error (Dagster's rule); metadata of later sets wins."""
    out = DefinitionsArgs([], [], [], [], {}, None, {}, [], {})
    for i, d in enumerate(sets):
        for slot in ("assets", "schedules", "sensors", "jobs", "asset_checks"):
            mine_list: list[Any] = getattr(out, slot)
            have = {id(x) for x in mine_list}
            mine_list.extend(
                x for x in getattr(d, slot) if id(x) not in have
            )  # one object given twice is one
        for slot in ("resources", "loggers"):
            mine: dict[str, Any] = getattr(out, slot)
            for key, value in getattr(d, slot).items():
                if key in mine and mine[key] is not value:
                    raise DefinitionError(
                        f"Definitions.merge: two of the merged Definitions (number {i + 1} and an earlier one) "
                        f"give different {slot[:-1]}s named {key!r}",
                        fix=f"give one {slot[:-1]} under {key!r}, or rename one",
                    )
                mine[key] = value
        if d.executor is not None:
            if out.executor is not None and out.executor is not d.executor:
                raise DefinitionError(
                    "Definitions.merge: two of the merged Definitions set different executors",
                    fix="set executor= in only one of them",
                )
            out.executor = d.executor
        out.metadata.update(d.metadata)
    return out
