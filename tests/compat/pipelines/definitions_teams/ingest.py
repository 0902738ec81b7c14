import dagdeck as dg


@dg.asset(group_name="ingest")
def raw_orders() -> list[int]:
    return [12, 30, 8]


@dg.asset(group_name="ingest")
def raw_customers() -> list[str]:
    return ["ada", "grace"]


defs = dg.Definitions(assets=[raw_orders, raw_customers])
