"""Jobs built the old way, as Dagster's jobs docs show: a GraphDefinition from node_defs and a
dependency dict, turned into a job with to_job()."""

import dagdeck as dg
from dagdeck import DependencyDefinition, GraphDefinition, MultiDependencyDefinition, NodeInvocation


@dg.op
def return_one(context) -> int:
    return 1


@dg.op
def add_one(context, number: int) -> int:
    return number + 1


@dg.op
def sum_all(numbers: list) -> int:
    return sum(numbers)


@dg.op(tags={"team": "core"})
def report(context, total: int) -> str:
    context.log.info(f"tags: {sorted(context.op.tags.items())}")
    return f"total={total}"


@dg.op
def standalone() -> str:
    return "no inputs"


one_plus_one = GraphDefinition(
    name="one_plus_one",
    node_defs=[return_one, add_one],
    dependencies={"add_one": {"number": DependencyDefinition("return_one")}},
).to_job()

fan_in = GraphDefinition(
    name="fan_in",
    node_defs=[return_one, add_one, sum_all, report, standalone],
    dependencies={
        "add_one": {"number": DependencyDefinition("return_one")},
        NodeInvocation("add_one", alias="add_two"): {"number": DependencyDefinition("add_one", "result")},
        "sum_all": {
            "numbers": MultiDependencyDefinition(
                [
                    DependencyDefinition("return_one"),
                    DependencyDefinition("add_one"),
                    DependencyDefinition("add_two"),
                ]
            )
        },
        NodeInvocation("report", alias="tagged_report", tags={"priority": "high"}): {
            "total": DependencyDefinition("sum_all")
        },
    },
).to_job(name="fan_in_job")

defs = dg.Definitions(jobs=[one_plus_one, fan_in])
