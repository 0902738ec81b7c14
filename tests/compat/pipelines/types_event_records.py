"""Reading an asset's history from a step: `context.instance.get_event_records` with an
`EventRecordsFilter`, and `fetch_materializations` page by page."""

import dagdeck as dg


@dg.asset
def raw_sales(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    earlier = context.instance.fetch_materializations(context.asset_key, limit=10).records
    context.log_event(dg.AssetObservation(asset_key=context.asset_key, metadata={"seen": len(earlier)}))
    return dg.MaterializeResult(metadata={"row_count": 40 + len(earlier)})


@dg.asset(deps=[raw_sales])
def sales_history(context: dg.AssetExecutionContext) -> dict:
    def rows(records):
        return [r.asset_materialization.metadata["row_count"].value for r in records]

    newest_first = context.instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION, asset_key=raw_sales.key),
        limit=5,
    )
    oldest_first = context.instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION, asset_key=raw_sales.key),
        ascending=True,
    )
    observations = context.instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_OBSERVATION, asset_key=raw_sales.key)
    )
    first_page = context.instance.fetch_materializations(raw_sales.key, limit=1)
    second_page = context.instance.fetch_materializations(raw_sales.key, limit=1, cursor=first_page.cursor)
    return {
        "newest_first": rows(newest_first),
        "oldest_first": rows(oldest_first),
        "observed": [r.asset_observation.metadata["seen"].value for r in observations],
        "pages": [
            rows(first_page.records),
            first_page.has_more,
            rows(second_page.records),
            second_page.has_more,
        ],
        "keys": {r.asset_key.to_user_string() for r in newest_first},
    }


defs = dg.Definitions(assets=[raw_sales, sales_history])
