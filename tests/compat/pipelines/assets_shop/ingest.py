import dagdeck as dg


@dg.asset
def raw_orders():
    return [1, 2, 3]


@dg.asset(deps=[raw_orders])
def ingest_audit():
    return "ok"


@dg.asset
def cleaned_orders(raw_orders):
    return [x * 2 for x in raw_orders]


@dg.asset_check(asset=cleaned_orders)
def cleaned_orders_not_empty(cleaned_orders):
    return dg.AssetCheckResult(passed=len(cleaned_orders) > 0)
