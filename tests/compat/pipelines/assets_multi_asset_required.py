"""A subsettable multi_asset whose outputs stay required: a subset run must still yield them all."""

import dagdeck as dg


@dg.multi_asset(outs={"north": dg.AssetOut(), "south": dg.AssetOut()}, can_subset=True)
def regions(context: dg.AssetExecutionContext):
    for name in sorted(context.selected_output_names):
        yield dg.Output(len(name), output_name=name)


defs = dg.Definitions(assets=[regions])
