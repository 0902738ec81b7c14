"""A SourceAsset read as an input through its IO manager."""

import dagdeck as dg


class WarehouseIOManager(dg.IOManager):
    def handle_output(self, context, obj):
        raise NotImplementedError("the warehouse is read-only")

    def load_input(self, context):
        return {"table": context.asset_key.to_user_string(), "rows": [1, 2, 3, 4]}


raw_events = dg.SourceAsset(key=dg.AssetKey(["warehouse", "raw_events"]), io_manager_key="warehouse_io")


@dg.asset(ins={"events": dg.AssetIn(key=["warehouse", "raw_events"])})
def event_count(events):
    return len(events["rows"])


@dg.asset
def event_table_name(context: dg.AssetExecutionContext, raw_events):
    return raw_events["table"]


defs = dg.Definitions(
    assets=[raw_events, event_count, event_table_name],
    resources={"warehouse_io": WarehouseIOManager()},
)
