"""Fan out over files found at run time, process each on its own, and gather the results
(Dagster docs: "Dynamic graphs")."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def list_files():
    for name in ["beta", "alpha", "gamma"]:
        yield dg.DynamicOutput(name, mapping_key=name)


@dg.op
def file_size(name: str) -> int:
    return len(name) * 10


@dg.op
def add_header(size: int) -> int:
    return size + 1


@dg.op
def summarize(sizes: list) -> dict:
    return {"count": len(sizes), "sizes": sizes}


@dg.job
def process_files():
    sizes = list_files().map(file_size).map(add_header)
    summarize(sizes.collect())


@dg.op(out=dg.DynamicOut())
def find_nothing():
    return
    yield


@dg.op
def count(values: list) -> int:
    return len(values)


@dg.job
def process_nothing():
    count(find_nothing().map(file_size).collect())


defs = dg.Definitions(jobs=[process_files, process_nothing])
