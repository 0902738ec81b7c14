"""A job and an asset that fail: what `execute_in_process` and `materialize` do with the error."""

import dagdeck as dg


@dg.op
def fetch_rows() -> list[int]:
    return [1, 2]


@dg.op
def validate(rows: list[int]) -> list[int]:
    if len(rows) < 3:
        raise ValueError(f"expected at least 3 rows, got {len(rows)}")
    return rows


@dg.op
def publish(rows: list[int]) -> int:
    return len(rows)


@dg.job
def validation_job():
    publish(validate(fetch_rows()))


@dg.asset
def source_table() -> list[int]:
    return [5, 6]


@dg.asset
def broken_report(source_table: list[int]) -> int:
    raise RuntimeError("report service unavailable")


defs = dg.Definitions(assets=[source_table, broken_report], jobs=[validation_job])
