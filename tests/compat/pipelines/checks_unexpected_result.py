"""An asset yields a result for a check it did not declare.

Dagster 1.13.28: step `prices` fails with DagsterInvariantViolationError 'Received unexpected
AssetCheckResult. No checks currently being evaluated target asset 'prices' and have name
'fresh'. Checks being evaluated for this asset: {'non_negative'}'.
"""

import dagdeck as dg


@dg.asset(check_specs=[dg.AssetCheckSpec("non_negative", asset="prices")])
def prices():
    yield dg.Output([1.5, 2.0])
    yield dg.AssetCheckResult(check_name="fresh", passed=True)


defs = dg.Definitions(assets=[prices])
