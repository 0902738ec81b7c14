"""Mapping a nested graph and a lambda over a dynamic output; an op inside the mapped graph that
does not take the element runs once (Dagster docs: "Dynamic graphs - map over a graph")."""

import dagdeck as dg


@dg.op(out=dg.DynamicOut())
def regions():
    for region in ["eu", "us"]:
        yield dg.DynamicOutput(region, mapping_key=region)


@dg.op
def base_price() -> int:
    return 100


@dg.op
def regional_price(region: str, base: int) -> int:
    return base + (20 if region == "eu" else 10)


@dg.op
def with_tax(price: int) -> int:
    return price * 2


@dg.graph
def price_region(region):
    return with_tax(regional_price(region, base_price()))


@dg.op
def price_list(prices: list) -> list:
    return prices


@dg.job
def regional_prices():
    price_list(regions().map(price_region).collect())


@dg.op
def discount() -> int:
    return 5


@dg.op
def discounted(region: str, amount: int) -> str:
    return f"{region}-{amount}"


@dg.job
def regional_discounts():
    amount = discount()
    price_list(regions().map(lambda region: discounted(region, amount)).collect())


defs = dg.Definitions(jobs=[regional_prices, regional_discounts])
