"""A subsettable `@multi_asset` with a check on one of its assets, evaluated only when that
asset is selected (`context.selected_asset_check_keys`).

Dagster 1.13.28: materializing both runs one step `warehouse` that records stock:counted
(passed, metadata source=scan); `--select shipments` materializes only shipments and records no
check; `--select stock` materializes stock and records the check.
"""

import dagdeck as dg


@dg.multi_asset(
    specs=[dg.AssetSpec("stock", skippable=True), dg.AssetSpec("shipments", skippable=True)],
    check_specs=[dg.AssetCheckSpec("counted", asset="stock")],
    can_subset=True,
)
def warehouse(context: dg.AssetExecutionContext):
    if dg.AssetKey("stock") in context.selected_asset_keys:
        yield dg.MaterializeResult(asset_key="stock", metadata={"units": 42})
    if dg.AssetCheckKey(dg.AssetKey("stock"), "counted") in context.selected_asset_check_keys:
        yield dg.AssetCheckResult(passed=True, metadata={"source": "scan"})
    if dg.AssetKey("shipments") in context.selected_asset_keys:
        yield dg.MaterializeResult(asset_key="shipments")


defs = dg.Definitions(assets=[warehouse])
