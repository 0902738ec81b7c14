"""A dynamic output passed straight to an op, without .map() or .collect()."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def list_files():
    yield dg.DynamicOutput("a", mapping_key="a")


@dg.op
def load(name: str) -> str:
    return name


@dg.job
def unmapped():
    load(list_files())


defs = dg.Definitions(jobs=[unmapped])
