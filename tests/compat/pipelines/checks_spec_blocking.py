"""A blocking check declared on the asset that evaluates it.

Dagster 1.13.28: `raw_events` is materialized, its check `not_empty` fails (ERROR), the step fails
with DagsterAssetCheckFailedError '1 blocking asset check failed with ERROR severity:
raw_events: not_empty', and `clean_events` is not executed.
"""

import dagdeck as dg


@dg.asset(check_specs=[dg.AssetCheckSpec("not_empty", asset="raw_events", blocking=True)])
def raw_events():
    events: list[str] = []
    yield dg.Output(events)
    yield dg.AssetCheckResult(passed=bool(events), description="no events arrived")


@dg.asset
def clean_events(raw_events: list[str]) -> list[str]:
    return [e.strip() for e in raw_events]


defs = dg.Definitions(assets=[raw_events, clean_events])
