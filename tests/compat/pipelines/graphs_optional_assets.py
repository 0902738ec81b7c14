"""Assets that may not materialize (`output_required=False`, `AssetOut(is_required=False)`), in
the style of Dagster's conditional-materialization docs: what is computed from a missing asset,
by value or by `deps=`, is skipped."""

import dagdeck as dg

FRESH_DATA = {"orders": False, "refunds": True, "visits": False}
"""Which sources had new data today (deterministic stand-in for a check against a system)."""


@dg.asset(output_required=False)
def orders():
    if FRESH_DATA["orders"]:
        yield dg.Output([1, 2, 3, 4])


@dg.asset
def order_totals(orders):
    return orders + [5]


@dg.asset
def order_report(order_totals):
    return {"total": sum(order_totals)}


@dg.asset(deps=[orders])
def orders_archived():
    return "archived"


@dg.asset
def customers():
    return ["ada", "bob"]


@dg.asset
def orders_by_customer(order_totals, customers):
    return dict(zip(customers, order_totals, strict=False))


@dg.multi_asset(outs={"refunds": dg.AssetOut(is_required=False), "visits": dg.AssetOut(is_required=False)})
def daily_sources():
    if FRESH_DATA["refunds"]:
        yield dg.Output([6, 7, 8, 9], output_name="refunds")
    if FRESH_DATA["visits"]:
        yield dg.Output([10, 11], output_name="visits")


@dg.asset
def refund_summary(refunds):
    return refunds + [10]


@dg.asset
def visit_summary(visits):
    return visits + [12]


defs = dg.Definitions(
    assets=[
        orders,
        order_totals,
        order_report,
        orders_archived,
        customers,
        orders_by_customer,
        daily_sources,
        refund_summary,
        visit_summary,
    ]
)
