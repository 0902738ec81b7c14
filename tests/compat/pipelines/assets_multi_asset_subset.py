"""A subsettable multi_asset: only the selected outputs are computed and materialized."""

import dagdeck as dg


@dg.multi_asset(
    outs={
        "daily_sales": dg.AssetOut(is_required=False),
        "weekly_sales": dg.AssetOut(is_required=False),
    },
    can_subset=True,
)
def sales_rollups(context: dg.AssetExecutionContext):
    context.log.info(f"computing {sorted(context.selected_output_names)}")
    if "daily_sales" in context.selected_output_names:
        yield dg.Output([3, 4, 5], output_name="daily_sales", metadata={"days": 3})
    if "weekly_sales" in context.selected_output_names:
        yield dg.Output(12, output_name="weekly_sales", metadata={"weeks": 1})


@dg.multi_asset(
    outs={"left": dg.AssetOut(), "right": dg.AssetOut()},
)
def split_pair():
    return "L", "R"


@dg.asset
def weekly_report(weekly_sales):
    return f"weekly total {weekly_sales}"


defs = dg.Definitions(assets=[sales_rollups, split_pair, weekly_report])
