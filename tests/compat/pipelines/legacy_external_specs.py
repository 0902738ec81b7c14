"""External assets declared as Dagster's external-assets docs do: AssetsDefinition(specs=[...]),
with a regular asset depending on them."""

import dagdeck as dg

external_log_assets = dg.AssetsDefinition(
    specs=[
        dg.AssetSpec("raw_logs", description="Logs an outside system writes"),
        dg.AssetSpec("processed_logs", deps=["raw_logs"], group_name="logs"),
    ]
)


@dg.asset(deps=["processed_logs"])
def aggregated_logs() -> None:
    # Loads "processed_logs" and aggregates it
    ...


defs = dg.Definitions(assets=[external_log_assets, aggregated_logs])
