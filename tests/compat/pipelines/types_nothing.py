"""`Nothing` dependencies: ordering without passing data, in op jobs (`In(Nothing)`, also fanned in
and left unwired) and between assets (`AssetIn(dagster_type=Nothing)`)."""

import dagdeck as dg


@dg.op(out=dg.Out(dg.Nothing))
def create_table():
    print("creating table")


@dg.op(ins={"start": dg.In(dg.Nothing)})
def fill_table():
    return 3


@dg.op(ins={"after": dg.In(dg.Nothing)})
def report(rows: int):
    return f"{rows} rows"


@dg.op(ins={"start": dg.In(dg.Nothing)})
def standalone():
    return "ran without upstream"


@dg.job
def table_job():
    done = create_table()
    rows = fill_table(start=done)
    report(rows, after=[done, fill_table.alias("fill_again")(start=done)])
    standalone()


@dg.asset
def raw_table():
    return [1, 2, 3]


@dg.asset(ins={"raw_table": dg.AssetIn(dagster_type=dg.Nothing)})
def table_summary():
    return "summary written after raw_table"


defs = dg.Definitions(assets=[raw_table, table_summary], jobs=[table_job])
