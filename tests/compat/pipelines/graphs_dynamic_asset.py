"""A graph-backed asset that fans out over a dynamic output inside its graph
(Dagster docs: "Graph-backed assets", "Dynamic graphs")."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def parts():
    for part in ["x", "y"]:
        yield dg.DynamicOutput(part, mapping_key=part)


@dg.op
def upper(part: str) -> str:
    return part.upper()


@dg.op
def join(uppers: list) -> str:
    return "".join(uppers)


@dg.graph_asset
def joined():
    return join(parts().map(upper).collect())


@dg.asset
def shout(joined: str) -> str:
    return joined + "!"


defs = dg.Definitions(assets=[joined, shout])
