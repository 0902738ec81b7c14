"""A `@multi_asset_check` with a blocking check that fails, and one that yields no result.

Dagster 1.13.28: step `ledger_checks` records ledger:balanced (failed, ERROR) then fails with
DagsterAssetCheckFailedError '1 blocking asset check failed with ERROR severity: ledger: balanced';
`report` (downstream of `ledger`) is not executed. Step `audit_checks` records audit_log:complete
(passed) and fails with DagsterStepOutputNotFoundError naming output "audit_log_signed".
"""

import dagdeck as dg


@dg.asset
def ledger() -> dict:
    return {"debit": 10, "credit": 9}


@dg.asset
def audit_log() -> list[str]:
    return ["opened", "closed"]


@dg.asset(deps=[ledger])
def report() -> str:
    return "ok"


@dg.multi_asset_check(specs=[dg.AssetCheckSpec("balanced", asset=ledger, blocking=True)])
def ledger_checks():
    yield dg.AssetCheckResult(passed=False)


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec("complete", asset=audit_log), dg.AssetCheckSpec("signed", asset=audit_log)]
)
def audit_checks():
    yield dg.AssetCheckResult(check_name="complete", passed=True)


defs = dg.Definitions(assets=[ledger, audit_log, report], asset_checks=[ledger_checks, audit_checks])
