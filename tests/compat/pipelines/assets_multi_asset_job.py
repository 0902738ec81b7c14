"""An asset job over a multi_asset and the asset reading one of its outputs."""

import dagdeck as dg


@dg.multi_asset(
    outs={
        "raw_signups": dg.AssetOut(group_name="growth"),
        "raw_churn": dg.AssetOut(group_name="growth"),
    }
)
def growth_extract():
    yield dg.Output([3, 5, 8], output_name="raw_signups", metadata={"days": 3})
    yield dg.Output([1, 0, 2], output_name="raw_churn", metadata={"days": 3})


@dg.asset(group_name="growth")
def net_growth(raw_signups, raw_churn):
    return sum(raw_signups) - sum(raw_churn)


growth_job = dg.define_asset_job("growth_job", selection=dg.AssetSelection.groups("growth"))

defs = dg.Definitions(assets=[growth_extract, net_growth], jobs=[growth_job])
