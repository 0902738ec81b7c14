"""Tags and metadata: `job(tags=, metadata=)` and per-invocation op tags with `op.tag(...)`."""

import dagdeck as dg


@dg.op(tags={"team": "data", "kind": "extract"})
def read_table() -> list[int]:
    return [1, 2, 3]


@dg.op
def count(rows: list[int]) -> int:
    return len(rows)


@dg.job(
    tags={"owner": "analytics", "priority": "high"},
    metadata={"docs": "https://wiki.example.com/etl", "sla_hours": 4},
)
def tagged_job():
    rows = read_table.tag({"source": "postgres"})()
    count.tag({"team": "ml"}).alias("count_rows")(rows)
    read_table.tag({"team": "ops"}).alias("read_backup")()


defs = dg.Definitions(jobs=[tagged_job])
