"""Dagster types declared rather than annotated: Dagster's scalars (`dg.Int`, `dg.String`, `dg.Any`)
and `dg.Optional[...]` / `dg.List[...]` on `In`/`Out`, `@asset(dagster_type=...)` and `AssetOut(dagster_type=...)` in a multi-asset."""

import dagdeck as dg


@dg.op(out=dg.Out(dg.String))
def label():
    return "batch-7"


@dg.op(ins={"text": dg.In(dg.Int)})
def parse(text):
    return text


@dg.op(out=dg.Out(dg.Any))
def anything():
    return object.__name__


@dg.job
def parse_job():
    parse(label())
    anything()


@dg.op(out=dg.Out(dg.Optional[int]))
def maybe_limit():
    return None


@dg.op(ins={"limit": dg.In(dg.Optional[dg.Int])}, out=dg.Out(dg.List[dg.String]))
def names(limit):
    return ["ann", 2][:limit]


@dg.job
def names_job():
    names(maybe_limit())


@dg.asset(dagster_type=dg.Int)
def row_count():
    return "many"


@dg.multi_asset(
    outs={
        "user_count": dg.AssetOut(dagster_type=dg.Int),
        "users": dg.AssetOut(dagster_type=list),
    }
)
def load_users():
    users = ["ann", "bo"]
    return str(len(users)), users


@dg.multi_asset(outs={"first": dg.AssetOut(dagster_type=dg.String), "second": dg.AssetOut(dagster_type=list)})
def load_pair():
    return "a", ["b"]


defs = dg.Definitions(assets=[row_count, load_users, load_pair], jobs=[parse_job, names_job])
