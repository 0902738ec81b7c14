"""Python types in annotations become Dagster types with Dagster's names: `list[int]` is `[Int]`,
`Optional[int]` is `Int?`, `dict[str, int]` is `Dict[String,Int]`, a class is an isinstance check,
`-> None` is `Nothing`. Each asset here returns a value its annotation refuses but one."""

from typing import Optional

import dagdeck as dg


class Report:
    """A plain class used as a type."""


@dg.asset
def scores() -> list[int]:
    return [1, 2, "three"]


@dg.asset
def maybe_count() -> Optional[int]:  # noqa: UP045 - written as Dagster's docs write it
    return "none"


@dg.asset
def totals() -> dict[str, int]:
    return {"a": 1, "b": "2"}


@dg.asset
def report() -> Report:
    return {"not": "a report"}


@dg.asset
def side_effect() -> None:
    return 1


@dg.asset
def pair() -> tuple[int, str]:
    return (1, 2)


@dg.asset
def ratio() -> float:
    return 1


@dg.asset
def nullable_ok() -> Optional[int]:  # noqa: UP045
    return None


defs = dg.Definitions(assets=[scores, maybe_count, totals, report, side_effect, pair, ratio, nullable_ok])
