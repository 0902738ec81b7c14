"""Asset keys with prefixes: key_prefix= on assets and AssetIn, AssetKey lists, AssetDep."""

import dagdeck as dg


@dg.asset(key_prefix=["warehouse", "raw"])
def orders():
    return [5, 7, 9]


@dg.asset(
    key=dg.AssetKey(["warehouse", "clean", "orders"]),
    ins={"orders": dg.AssetIn(dg.AssetKey(["warehouse", "raw", "orders"]))},
)
def clean_orders(context: dg.AssetExecutionContext, orders):
    context.add_output_metadata({"key": context.asset_key.to_user_string()})
    return [o for o in orders if o > 5]


@dg.asset(
    key_prefix="reports",
    ins={"orders": dg.AssetIn(key_prefix=["warehouse", "clean"], metadata={"unit": "eur"})},
    deps=[dg.AssetDep(dg.AssetKey(["warehouse", "raw", "orders"]))],
)
def order_total(orders):
    return sum(orders)


@dg.asset(ins={"raw": dg.AssetIn(key=["warehouse", "raw", "orders"])})
def raw_count(raw):
    return len(raw)


defs = dg.Definitions(assets=[orders, clean_orders, order_total, raw_count])
