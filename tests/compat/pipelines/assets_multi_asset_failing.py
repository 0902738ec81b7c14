"""A multi-asset whose op fails, and one that succeeds, as Dagster's docs write multi-assets."""

import os

import dagdeck as dg


@dg.multi_asset(outs={"orders": dg.AssetOut(), "refunds": dg.AssetOut()})
def ledger():
    if os.environ.get("LEDGER_FAILS") == "1":
        raise RuntimeError("ledger export is missing")
    return [1, 2], [3]


defs = dg.Definitions(assets=[ledger])
