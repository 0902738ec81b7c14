"""A job made with Dagster's JobDefinition constructor from a graph built by a dependency dict."""

import dagdeck as dg
from dagdeck import DependencyDefinition, GraphDefinition


@dg.op
def return_one() -> int:
    return 1


@dg.op
def add_one(number: int) -> int:
    return number + 1


one_plus_one = GraphDefinition(
    name="one_plus_one_graph",
    node_defs=[return_one, add_one],
    dependencies={"add_one": {"number": DependencyDefinition("return_one")}},
)

named_job = dg.JobDefinition(graph_def=one_plus_one, name="one_plus_one_job", tags={"source": "constructor"})
graph_named_job = dg.JobDefinition(graph_def=one_plus_one)

defs = dg.Definitions(jobs=[named_job, graph_named_job])
