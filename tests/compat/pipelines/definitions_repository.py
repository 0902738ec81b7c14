"""The older `@repository` form (Dagster tutorials before `Definitions`): a function returning a
list of assets, jobs and schedules."""

import dagdeck as dg


@dg.op
def fetch_numbers() -> list[int]:
    return [1, 2, 3, 4]


@dg.op
def add_them(numbers: list[int]) -> int:
    return sum(numbers)


@dg.job
def numbers_job():
    add_them(fetch_numbers())


@dg.asset
def greeting() -> str:
    return "hello"


nightly = dg.ScheduleDefinition(job=numbers_job, cron_schedule="0 0 * * *")


@dg.repository
def my_repository():
    return [greeting, numbers_job, nightly]
