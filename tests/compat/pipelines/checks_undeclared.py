"""Assets that report check results without declaring `check_specs`.

Dagster 1.13.28: steps `totals` (MaterializeResult(check_results=[...])) and `averages`
(yields an AssetCheckResult) both fail with DagsterInvariantViolationError 'Received unexpected
AssetCheckResult. No AssetCheckSpecs were found for this step.You may need to set `check_specs`
on the asset decorator, or you may be emitting an AssetCheckResult that isn't in the subset passed
in `context.selected_asset_check_keys`.'
"""

import dagdeck as dg


@dg.asset
def totals():
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(passed=True)])


@dg.asset
def averages():
    yield dg.Output(2.5)
    yield dg.AssetCheckResult(passed=True)


defs = dg.Definitions(assets=[totals, averages])
