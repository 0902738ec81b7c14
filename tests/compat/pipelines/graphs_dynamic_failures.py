"""Dynamic outputs that go wrong at run time: a mapped step fails, a mapping key is invalid or
yielded twice (Dagster docs: "Dynamic graphs")."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def chunks():
    for i in range(3):
        yield dg.DynamicOutput(i, mapping_key=f"chunk_{i}")


@dg.op
def check_chunk(i: int) -> int:
    if i == 1:
        raise ValueError("chunk 1 is corrupt")
    return i


@dg.op
def merge(values: list) -> int:
    return sum(values)


@dg.job
def one_chunk_fails():
    merge(chunks().map(check_chunk).collect())


@dg.op(out=dg.DynamicOut())
def bad_keys():
    yield dg.DynamicOutput(1, mapping_key="not-valid")


@dg.op(out=dg.DynamicOut())
def same_key_twice():
    yield dg.DynamicOutput(1, mapping_key="a")
    yield dg.DynamicOutput(2, mapping_key="a")


@dg.op
def echo(x):
    return x


@dg.job
def invalid_key():
    merge(bad_keys().map(echo).collect())


@dg.job
def duplicate_key():
    merge(same_key_twice().map(echo).collect())


defs = dg.Definitions(jobs=[one_chunk_fails, invalid_key, duplicate_key])
