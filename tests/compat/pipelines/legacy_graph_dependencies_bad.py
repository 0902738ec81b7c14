"""A dependency dict naming a node that is not in node_defs."""

import dagdeck as dg
from dagdeck import DependencyDefinition, GraphDefinition


@dg.op
def return_one() -> int:
    return 1


@dg.op
def add_one(number: int) -> int:
    return number + 1


broken = GraphDefinition(
    name="broken",
    node_defs=[return_one, add_one],
    dependencies={"add_one": {"number": DependencyDefinition("return_two")}},
)

defs = dg.Definitions(jobs=[broken.to_job()])
