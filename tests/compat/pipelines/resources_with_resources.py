"""`with_resources` binds resources to a list of assets, and a plain object is typed with
ResourceParam[...]; the Definitions then need no resources= of their own."""

import dagdeck as dg


class Warehouse(dg.ConfigurableResource):
    schema_name: str

    def table(self, name: str) -> str:
        return f"{self.schema_name}.{name}"


@dg.asset
def orders(warehouse: Warehouse, lookup: dg.ResourceParam[dict]) -> str:
    return f"{warehouse.table('orders')} in {lookup['region']}"


@dg.asset
def order_count(orders: str, lookup: dg.ResourceParam[dict]) -> int:
    return len(orders) + lookup["offset"]


defs = dg.Definitions(
    assets=dg.with_resources(
        [orders, order_count],
        {"warehouse": Warehouse(schema_name="analytics"), "lookup": {"region": "eu", "offset": 100}},
    ),
)
