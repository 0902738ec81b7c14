"""Definitions built lazily by a function decorated with `@dg.definitions`, the form Dagster's
project templates use."""

import dagdeck as dg


@dg.asset
def sales() -> list[int]:
    return [5, 7, 9]


@dg.asset
def sales_report(sales: list[int]) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"total": sum(sales), "rows": len(sales)})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[sales, sales_report])
