"""Jobs that select asset checks: with their asset, without them, or the checks alone.

Dagster 1.13.28: `my_job` runs my_asset and its checks (check_1, check_2 and the multi-asset
check step `both_checks`); `my_asset_only_job` runs only my_asset; `checks_only_job` runs the
three checks (against the stored my_asset) and not my_asset; `check_1_job` runs only check_1; `multi_only_job` runs the multi-asset check step
`both_checks` alone.
"""

import dagdeck as dg


@dg.asset
def my_asset() -> int:
    return 3


@dg.asset_check(asset=my_asset)
def check_1(my_asset: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=my_asset > 0, metadata={"value": my_asset})


@dg.asset_check(asset=my_asset)
def check_2() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.multi_asset_check(specs=[dg.AssetCheckSpec("small", asset=my_asset)])
def both_checks():
    yield dg.AssetCheckResult(passed=True)


my_job = dg.define_asset_job("my_job", selection=dg.AssetSelection.assets(my_asset))
my_asset_only_job = dg.define_asset_job(
    "my_asset_only_job", selection=dg.AssetSelection.assets(my_asset).without_checks()
)
checks_only_job = dg.define_asset_job(
    "checks_only_job", selection=dg.AssetSelection.checks_for_assets(my_asset)
)
check_1_job = dg.define_asset_job("check_1_job", selection=dg.AssetSelection.checks(check_1))
multi_only_job = dg.define_asset_job("multi_only_job", selection=dg.AssetSelection.checks(both_checks))

defs = dg.Definitions(
    assets=[my_asset],
    asset_checks=[check_1, check_2, both_checks],
    jobs=[my_job, my_asset_only_job, checks_only_job, check_1_job, multi_only_job],
)
