"""An asset declares two checks and yields a result for only one.

Dagster 1.13.28: step `inventory` fails with DagsterStepOutputNotFoundError 'Core compute for op
"inventory" did not return an output for non-optional output "inventory_in_stock"'; the asset's
materialization and the result of `positive` (failed, WARN) are recorded before the failure.
"""

import dagdeck as dg


@dg.asset(
    check_specs=[
        dg.AssetCheckSpec("positive", asset="inventory"),
        dg.AssetCheckSpec("in_stock", asset="inventory"),
    ]
)
def inventory():
    yield dg.Output(5)
    yield dg.AssetCheckResult(check_name="positive", passed=False, severity=dg.AssetCheckSeverity.WARN)


defs = dg.Definitions(assets=[inventory])
