"""Two assets, the second reading the first; the shape of Dagster's first tutorial."""

import dagdeck as dg


@dg.asset
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset
def total(numbers: list[int]) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"total": sum(numbers)})


defs = dg.Definitions(assets=[numbers, total])
