"""A multi-asset configured with `config_schema=`: one op config for all its assets."""

import dagdeck as dg


@dg.multi_asset(
    outs={"users": dg.AssetOut(), "orders": dg.AssetOut()},
    config_schema={"sample_size": dg.Field(int, default_value=2)},
)
def sampled_tables(context):
    n = context.op_config["sample_size"]
    return list(range(n)), list(range(n * 2))


defs = dg.Definitions(assets=[sampled_tables])
