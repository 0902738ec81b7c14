"""Config for ops inside nested graphs: written per op under the graph, or through the graph's
`@config_mapping`; and a job whose whole run config is mapped (`to_job(config=ConfigMapping)`)."""

import dagdeck as dg


@dg.op(config_schema={"table": str})
def extract(context):
    return {"table": context.op_config["table"]}


@dg.op(config_schema={"limit": dg.Field(int, default_value=100)})
def load(context, data):
    return {**data, "limit": context.op_config["limit"]}


@dg.graph
def etl():
    return load(extract())


@dg.config_mapping(config_schema={"source": str, "sample": dg.Field(bool, default_value=False)})
def simple_etl_config(outer):
    return {
        "extract": {"config": {"table": outer["source"]}},
        "load": {"config": {"limit": 10 if outer["sample"] else 1000}},
    }


@dg.graph(config=simple_etl_config)
def simple_etl():
    return load(extract())


@dg.job
def nightly_job():
    etl()
    simple_etl()


@dg.graph
def backfill():
    load(extract())


backfill_job = backfill.to_job(
    name="backfill_job",
    config=dg.ConfigMapping(
        config_fn=lambda outer: {
            "ops": {"extract": {"config": {"table": outer["table"]}}, "load": {"config": {"limit": outer["limit"]}}}
        },
        config_schema={"table": str, "limit": dg.Field(int, default_value=5)},
    ),
)

defs = dg.Definitions(jobs=[nightly_job, backfill_job])
