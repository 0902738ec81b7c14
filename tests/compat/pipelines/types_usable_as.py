"""Classes made usable as Dagster types: `@usable_as_dagster_type` (an isinstance check under the
given name) and `make_python_type_usable_as_dagster_type` (any DagsterType for a class)."""

import dagdeck as dg


@dg.usable_as_dagster_type(name="Temperature", description="A temperature reading")
class Temperature:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


def check_money(_context, value):
    if not isinstance(value, Money):
        return dg.TypeCheck(success=False, description=f"{value!r} is not Money")
    return dg.TypeCheck(
        success=value.cents >= 0,
        description=f"{value.cents} cents is negative",
        metadata={"cents": value.cents},
    )


MoneyType = dg.DagsterType(type_check_fn=check_money, name="NonNegativeMoney")
dg.make_python_type_usable_as_dagster_type(Money, MoneyType)


@dg.asset
def morning_reading() -> Temperature:
    return Temperature(21.5)


@dg.asset
def evening_reading() -> Temperature:
    return 19.0


@dg.op
def refund() -> Money:
    return Money(-500)


@dg.op
def price() -> Money:
    return Money(1200)


@dg.op
def spend(amount: Money) -> int:
    return amount.cents


@dg.job
def payments_job():
    spend(price())
    refund()


defs = dg.Definitions(assets=[morning_reading, evening_reading], jobs=[payments_job])
