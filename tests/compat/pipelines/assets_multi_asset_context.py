"""What a multi_asset's context knows: the key of each output and the selected keys."""

import dagdeck as dg


@dg.multi_asset(
    outs={
        "sales": dg.AssetOut(key_prefix="mart"),
        "returns": dg.AssetOut(key_prefix="mart"),
    }
)
def mart_tables(context: dg.AssetExecutionContext):
    try:
        context.asset_key  # noqa: B018 - reading it raises in a multi_asset
    except Exception as err:
        context.log.warning(f"{type(err).__name__}: {err}")
    selected = ", ".join(sorted(k.to_user_string() for k in context.selected_asset_keys))
    yield dg.Output(
        100, output_name="sales", metadata={"asset": context.asset_key_for_output("sales").to_user_string()}
    )
    yield dg.Output(
        4,
        output_name="returns",
        metadata={"asset": context.asset_key_for_output("returns").to_user_string(), "selected": selected},
    )


@dg.asset(key_prefix="mart")
def return_rate(sales, returns):
    return returns / sales


defs = dg.Definitions(assets=[mart_tables, return_rate])
