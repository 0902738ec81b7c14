import dagdeck as dg


@dg.asset
def signups() -> list[str]:
    return ["ada", "alan", "grace"]


@dg.asset
def signup_count(signups: list[str]) -> int:
    return len(signups)


@dg.asset_check(asset=signup_count)
def signups_positive(signup_count: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=signup_count > 0)


signups_job = dg.define_asset_job("signups_job", selection=[signups, signup_count])

hourly_signups = dg.ScheduleDefinition(job=signups_job, cron_schedule="0 * * * *")
