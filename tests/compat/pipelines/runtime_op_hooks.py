"""Hooks on one op invocation with `with_hooks`, named hooks, and `context.log` in a hook."""

import dagdeck as dg


@dg.success_hook(name="announce")
def announce_success(context: dg.HookContext):
    context.log.info(f"{context.op.name} finished with {context.op_output_values['result']}")


@dg.failure_hook(name="page_oncall")
def page_oncall(context: dg.HookContext):
    context.log.error(f"paging on-call: {context.op.name} failed: {context.op_exception}")


@dg.op
def load_prices() -> list[float]:
    return [1.5, 2.5]


@dg.op
def average(prices: list[float]) -> float:
    return sum(prices) / len(prices)


@dg.op
def publish(avg: float) -> None:
    raise ConnectionError("dashboard unreachable")


@dg.job
def prices_job():
    prices = load_prices()
    avg = average.with_hooks({announce_success})(prices)
    publish.with_hooks({page_oncall, announce_success})(avg)


defs = dg.Definitions(jobs=[prices_job])
