"""Return and parameter annotations are Dagster type checks: `-> str` returning an int fails the
asset's step (and its downstream is skipped), `-> dg.Output[int]` checks the wrapped value."""

import dagdeck as dg


@dg.asset
def city_name() -> str:
    return 42  # not a str: the step fails its type check


@dg.asset
def greeting(city_name: str) -> str:
    return f"hello {city_name}"


@dg.asset
def population() -> dg.Output[int]:
    return dg.Output(8_000_000, metadata={"source": "census"})


@dg.asset
def density(population: int) -> float:
    return population / 783.8


defs = dg.Definitions(assets=[city_name, greeting, population, density])
