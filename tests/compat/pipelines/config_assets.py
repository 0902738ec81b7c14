"""Assets with `config_schema=`, and an asset job whose `config=` is the default of its runs."""

import dagdeck as dg


@dg.asset(config_schema={"rows": dg.Field(int, default_value=3), "name": dg.Field(str, default_value="orders")})
def raw_table(context):
    rows = list(range(context.op_config["rows"]))
    context.add_output_metadata({"rows": len(rows), "name": context.op_config["name"]})
    return rows


@dg.asset(config_schema={"factor": int})
def scaled_table(context, raw_table):
    return [r * context.op_config["factor"] for r in raw_table]


scaled_job = dg.define_asset_job(
    "scaled_job",
    selection=[raw_table, scaled_table],
    config={"ops": {"raw_table": {"config": {"rows": 4}}, "scaled_table": {"config": {"factor": 10}}}},
)

defs = dg.Definitions(assets=[raw_table, scaled_table], jobs=[scaled_job])
