"""A multi_asset with AssetOut outputs: one function, one step, two assets (Dagster's docs shape)."""

import dagdeck as dg


@dg.multi_asset(
    outs={
        "users": dg.AssetOut(description="Everyone who signed up", metadata={"owner": "growth"}),
        "orders": dg.AssetOut(key_prefix="shop", group_name="sales"),
    }
)
def load_tables():
    users = ["ann", "bob", "cy"]
    orders = [{"user": "ann", "amount": 10}, {"user": "cy", "amount": 5}]
    return users, orders


@dg.asset(ins={"orders": dg.AssetIn(key=["shop", "orders"])})
def orders_per_user(users, orders):
    return len(orders) / len(users)


@dg.multi_asset(
    outs={"clicks": dg.AssetOut(), "views": dg.AssetOut()},
)
def web_stats():
    yield dg.Output(120, output_name="clicks", metadata={"source": "web"})
    yield dg.Output(3400, output_name="views", metadata={"source": "web", "sampled": False})


@dg.asset
def click_rate(clicks, views):
    return round(clicks / views, 4)


defs = dg.Definitions(assets=[load_tables, orders_per_user, web_stats, click_rate])
