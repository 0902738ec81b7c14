"""Data-quality checks on the orders: the metadata says what was produced, the checks say whether
it is good enough to publish."""

from __future__ import annotations

import dagdeck as dg
from demo_project.assets import Order, anonymized_orders, orders

EXPECTED_ROWS = (1_000, 100_000)


@dg.asset_check(asset=orders, blocking=True)
def no_negative_prices(orders: list[Order]) -> dg.AssetCheckResult:
    """A negative unit price is a broken export: block the warehouse copy and the reports."""
    negative = [o for o in orders if o.unit_price < 0]
    return dg.AssetCheckResult(
        passed=not negative,
        metadata={"negative": len(negative), "examples": [o.order_id for o in negative[:5]]},
    )


@dg.asset_check(asset=orders)
def row_count_in_range(orders: list[Order]) -> dg.AssetCheckResult:
    """A warning, not a blocker: a quiet day is unusual but not wrong."""
    low, high = EXPECTED_ROWS
    return dg.AssetCheckResult(
        passed=low <= len(orders) <= high,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows": len(orders), "expected_min": low, "expected_max": high},
    )


@dg.asset_check(asset=anonymized_orders, blocking=True)
def emails_are_hashed(anonymized_orders: list[Order]) -> dg.AssetCheckResult:
    """Nothing that looks like an e-mail address may reach the warehouse."""
    leaked = sum(1 for o in anonymized_orders if "@" in o.customer_email)
    return dg.AssetCheckResult(passed=leaked == 0, metadata={"leaked": leaked})


all_checks = [no_negative_prices, row_count_in_range, emails_are_hashed]
