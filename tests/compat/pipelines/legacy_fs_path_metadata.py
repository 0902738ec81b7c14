"""Assets stored by the default filesystem IO manager, one with its own metadata and one with a
key prefix, plus one that writes its data itself (MaterializeResult without a value)."""

import dagdeck as dg


@dg.asset
def raw_numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset(key_prefix=["warehouse"])
def totals(raw_numbers: list[int]) -> dg.Output[int]:
    return dg.Output(sum(raw_numbers), metadata={"count": len(raw_numbers)})


@dg.asset(deps=[totals])
def exported() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 1})


defs = dg.Definitions(assets=[raw_numbers, totals, exported])
