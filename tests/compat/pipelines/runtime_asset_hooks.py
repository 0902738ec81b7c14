"""Hooks and a retry policy on assets: `@asset(hooks=)` and a job of assets made with
`define_asset_job(hooks=, op_retry_policy=)`."""

import dagdeck as dg


@dg.success_hook
def record_success(context: dg.HookContext):
    context.log.info(f"materialized {context.op.name} in {context.job_name}: {context.op_output_values}")


@dg.failure_hook
def record_failure(context: dg.HookContext):
    context.log.error(f"{context.op.name} failed in {context.job_name}: {context.op_exception}")


@dg.success_hook
def check_size(context: dg.HookContext):
    rows = context.op_output_values["result"]
    context.log.info(f"cleaned_orders has {len(rows)} rows")


@dg.asset
def raw_orders(context: dg.AssetExecutionContext) -> list[int]:
    if context.retry_number < 1:
        raise ConnectionError("export not ready")
    return [5, 0, 7]


@dg.asset(hooks={check_size})
def cleaned_orders(raw_orders: list[int]) -> list[int]:
    return [o for o in raw_orders if o > 0]


@dg.asset
def order_report(cleaned_orders: list[int]) -> str:
    raise ValueError("report template missing")


orders_job = dg.define_asset_job(
    "orders_job",
    selection=["raw_orders", "cleaned_orders", "order_report"],
    hooks={record_success, record_failure},
    op_retry_policy=dg.RetryPolicy(max_retries=1),
)

defs = dg.Definitions(assets=[raw_orders, cleaned_orders, order_report], jobs=[orders_job])
