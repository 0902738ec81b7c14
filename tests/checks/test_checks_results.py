"""Asset checks run in-process (`dg.materialize` on a real SQLite instance): results with severity
and metadata, a raising check, blocking checks that skip downstream, check steps right after their
asset, and the history kept per check."""

from __future__ import annotations

from typing import Any

import dagdeck as dg
from dagdeck.core.defs.metadata import plain
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.running.plan_assets import plan_assets
from dagdeck.core.views.asset_health import check_views, failed_error_checks
from dagdeck.core.views.runs import asset_show_json
from tests.checks.checks_helpers import evaluations, events, meta

# annotated dict[str, Any]: ids are ints, and Dagster (like dagdeck) checks annotations: Float refuses an int
ORDERS = [{"id": 1, "price": 3.0}, {"id": 2, "price": -1.0}, {"id": 3, "price": 10.0}]


def _steps(result: Any) -> dict[str, str]:
    return {s.key: s.status for s in result.view().steps}


def test_results_pass_and_fail_with_severity_and_metadata(instance: Instance) -> None:
    @dg.asset
    def orders() -> list[dict[str, Any]]:
        return ORDERS

    @dg.asset_check(asset=orders, description="at least one row")
    def has_rows(orders: list[dict[str, Any]]) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=len(orders) > 0, metadata={"rows": len(orders)})

    @dg.asset_check(asset=orders)
    def no_negative_prices(orders: list[dict[str, Any]]) -> dg.AssetCheckResult:
        bad = [o["id"] for o in orders if o["price"] < 0]
        return dg.AssetCheckResult(
            passed=not bad, severity=dg.AssetCheckSeverity.WARN, metadata={"negative_ids": bad, "count": len(bad)}
        )

    @dg.asset_check(asset=orders)
    def max_price(context: dg.AssetExecutionContext, orders: list[dict[str, Any]]) -> dg.AssetCheckResult:
        top = max(o["price"] for o in orders)
        return dg.AssetCheckResult(
            passed=top <= 5,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"max": top, "limit": 5, "run": context.run_id},
            description="a price above the limit",
        )

    @dg.asset
    def revenue(orders: list[dict[str, Any]]) -> float:
        return sum(o["price"] for o in orders)

    defs = dg.Definitions(assets=[orders, revenue], asset_checks=[has_rows, no_negative_prices, max_price])
    result = dg.materialize(defs, instance=instance)

    # failing non-blocking checks (WARN and ERROR) never fail the run nor stop downstream
    assert result.success, result.outcome.reason
    assert _steps(result)["revenue"] == "succeeded"
    ev = evaluations(instance, result.run_id)
    assert set(ev) == {"has_rows", "no_negative_prices", "max_price"}

    ok = ev["has_rows"]
    assert (ok.data["passed"], ok.data["severity"], meta(ok)) == (True, "ERROR", {"rows": 3})
    assert ok.asset_key == "orders" and ok.step_key == "orders:has_rows" and ok.level == "INFO"

    warn = ev["no_negative_prices"]
    assert (warn.data["passed"], warn.data["severity"], warn.level) == (False, "WARN", "WARNING")
    assert meta(warn) == {"negative_ids": [2], "count": 1}

    err = ev["max_price"]
    assert (err.data["passed"], err.data["severity"], err.level) == (False, "ERROR", "ERROR")
    assert meta(err) == {"max": 10.0, "limit": 5, "run": result.run_id}  # got `context` too
    assert err.data["description"] == "a price above the limit"
    assert err.data["traceback"] is None

    # the read model: latest result per check, and the ERROR failure colours the asset
    shown = {c["name"]: c for c in asset_show_json(defs, instance.store, dg.AssetKey("orders"))["checks"]}
    assert {n: (c["passed"], c["severity"]) for n, c in shown.items()} == {
        "has_rows": (True, "ERROR"),
        "no_negative_prices": (False, "WARN"),
        "max_price": (False, "ERROR"),
    }
    assert shown["no_negative_prices"]["metadata"] == {"negative_ids": [2], "count": 1}
    assert failed_error_checks(instance.store) == {"orders": ["max_price"]}


def test_a_raising_check_is_a_failed_check_with_its_traceback_not_a_crashed_run(instance: Instance) -> None:
    @dg.asset
    def orders() -> list[dict[str, Any]]:
        return ORDERS

    @dg.asset_check(asset=orders)
    def price_column(orders: list[dict[str, Any]]) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=all(o["amount"] > 0 for o in orders))  # KeyError: no such column

    @dg.asset_check(asset=orders)
    def returns_nothing(orders: list[dict[str, Any]]) -> None:
        return None

    @dg.asset
    def revenue(orders: list[dict[str, Any]]) -> float:
        return sum(o["price"] for o in orders)

    defs = dg.Definitions(assets=[orders, revenue], asset_checks=[price_column, returns_nothing])
    result = dg.materialize(defs, instance=instance)

    assert result.success, result.outcome.reason
    steps = _steps(result)
    assert steps["revenue"] == "succeeded" and steps["orders:price_column"] == "succeeded"
    assert result.output_for_node("revenue") == 12.0
    ev = evaluations(instance, result.run_id)
    raised = ev["price_column"]
    assert raised.data["passed"] is False and raised.data["severity"] == "ERROR"
    tb = raised.data["traceback"]
    assert tb and "Traceback" in tb and "KeyError: 'amount'" in tb and "price_column" in tb, tb
    assert meta(raised) == {"error": "KeyError: 'amount'"}
    # a check must return a result: anything else is a failed check that says how to fix it
    bad = ev["returns_nothing"]
    assert bad.data["passed"] is False and "AssetCheckResult" in bad.data["traceback"]
    assert not events(instance, result.run_id, EventType.STEP_FAILURE)


def _branching_defs(severity: dg.AssetCheckSeverity, blocking: bool = True, raising: bool = False) -> dg.Definitions:
    """raw -> clean -> report, raw + side -> combined, side -> side_report; the check is on raw."""

    @dg.asset
    def raw() -> list[int]:
        return [1, -2, 3]

    @dg.asset
    def clean(raw: list[int]) -> list[int]:
        return [x for x in raw if x > 0]

    @dg.asset
    def report(clean: list[int]) -> int:
        return sum(clean)

    @dg.asset
    def side() -> int:
        return 7

    @dg.asset
    def side_report(side: int) -> int:
        return side * 2

    @dg.asset
    def combined(raw: list[int], side: int) -> int:
        return len(raw) + side

    @dg.asset_check(asset=raw, blocking=blocking)
    def no_negatives(raw: list[int]) -> dg.AssetCheckResult:
        if raising:
            raise RuntimeError("cannot read raw")
        bad = [x for x in raw if x < 0]
        return dg.AssetCheckResult(passed=not bad, severity=severity, metadata={"negatives": len(bad)})

    @dg.asset_check(asset=clean)
    def clean_nonempty(clean: list[int]) -> bool:
        return bool(clean)

    @dg.asset_check(asset=side)
    def side_positive(side: int) -> bool:
        return side > 0

    return dg.Definitions(
        assets=[raw, clean, report, side, side_report, combined],
        asset_checks=[no_negatives, clean_nonempty, side_positive],
    )


def test_a_failing_blocking_error_check_skips_everything_downstream_of_its_asset(instance: Instance) -> None:
    defs = _branching_defs(dg.AssetCheckSeverity.ERROR)
    result = dg.materialize(defs, instance=instance, raise_on_error=False)

    assert result.status == "FAILURE"
    assert "raw:no_negatives" in result.outcome.reason
    steps = _steps(result)
    assert steps == {
        "raw": "succeeded",
        "raw:no_negatives": "failed",
        "clean": "skipped",
        "clean:clean_nonempty": "skipped",
        "report": "skipped",
        "combined": "skipped",
        "side": "succeeded",
        "side:side_positive": "succeeded",
        "side_report": "succeeded",
    }
    view = result.view()
    assert sorted(e.asset_key for e in view.materializations) == ["raw", "side", "side_report"]
    skipped = {e.step_key: e.message for e in events(instance, result.run_id, EventType.STEP_SKIPPED)}
    assert set(skipped) == {"clean", "clean:clean_nonempty", "report", "combined"}
    assert "raw:no_negatives" in skipped["clean"]
    assert not (instance.storage_dir / "clean").exists() and not (instance.storage_dir / "report").exists()
    assert (instance.storage_dir / "side_report").exists()
    ev = evaluations(instance, result.run_id)
    assert ev["no_negatives"].data["passed"] is False and meta(ev["no_negatives"]) == {"negatives": 1}
    assert set(ev) == {"no_negatives", "side_positive"}


def test_a_raising_blocking_check_blocks_too(instance: Instance) -> None:
    result = dg.materialize(
        _branching_defs(dg.AssetCheckSeverity.WARN, raising=True), instance=instance, raise_on_error=False
    )
    # a raise counts as an ERROR failure whatever severity the check would have returned
    assert result.status == "FAILURE"
    steps = _steps(result)
    assert steps["raw:no_negatives"] == "failed" and steps["clean"] == "skipped" and steps["side_report"] == "succeeded"
    failure = events(instance, result.run_id, EventType.STEP_FAILURE)
    assert [e.step_key for e in failure] == ["raw:no_negatives"]
    assert "RuntimeError: cannot read raw" in (failure[0].data.get("traceback") or "")


def test_a_failing_blocking_warn_check_does_not_block(instance: Instance) -> None:
    result = dg.materialize(_branching_defs(dg.AssetCheckSeverity.WARN), instance=instance)
    assert result.success, result.outcome.reason
    assert set(_steps(result).values()) == {"succeeded"}
    assert result.output_for_node("report") == 4
    ev = evaluations(instance, result.run_id)
    assert (ev["no_negatives"].data["passed"], ev["no_negatives"].data["severity"]) == (False, "WARN")


def test_a_passing_blocking_check_lets_downstream_run(instance: Instance) -> None:
    @dg.asset
    def raw() -> list[int]:
        return [1, 2]

    @dg.asset
    def clean(raw: list[int]) -> list[int]:
        return raw

    @dg.asset_check(asset=raw, blocking=True)
    def no_negatives(raw: list[int]) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=all(x >= 0 for x in raw))

    result = dg.materialize(dg.Definitions(assets=[raw, clean], asset_checks=[no_negatives]), instance=instance)
    assert result.success and _steps(result) == {"raw": "succeeded", "raw:no_negatives": "succeeded", "clean": "succeeded"}


def test_checks_are_their_own_steps_right_after_their_asset(instance: Instance) -> None:
    defs = _branching_defs(dg.AssetCheckSeverity.ERROR)
    plan = plan_assets(defs, defs.asset_graph.assets)
    keys = plan.step_keys
    for asset, check in [("raw", "raw:no_negatives"), ("clean", "clean:clean_nonempty"), ("side", "side:side_positive")]:
        assert keys.index(check) == keys.index(asset) + 1, keys
        step = plan.steps[check]
        assert step.kind == "check" and step.upstream == {asset}
    # downstream steps wait for the blocking check, not for the others
    assert "raw:no_negatives" in plan.steps["clean"].upstream
    assert "raw:no_negatives" in plan.steps["combined"].upstream
    assert "side:side_positive" not in plan.steps["side_report"].upstream
    assert "clean:clean_nonempty" not in plan.steps["report"].upstream

    result = dg.materialize(_branching_defs(dg.AssetCheckSeverity.WARN), instance=instance)
    rows = events(instance, result.run_id)
    first = {}
    for e in rows:
        first.setdefault((e.step_key, e.event_type), e.id)
    for asset, check in [("raw", "raw:no_negatives"), ("clean", "clean:clean_nonempty")]:
        assert first[(asset, EventType.STEP_SUCCESS)] < first[(check, EventType.STEP_START)]
    assert first[("raw:no_negatives", EventType.STEP_SUCCESS)] < first[("clean", EventType.STEP_START)]
    run = instance.store.get_run(result.run_id)
    assert run is not None and run.plan["steps"] == keys and run.plan["assets"] == plan.asset_keys


def test_history_is_kept_per_check(instance: Instance) -> None:
    values = iter([[1, 2], [1, -5], [3], [-1]])

    @dg.asset
    def numbers() -> list[int]:
        return next(values)

    @dg.asset_check(asset=numbers)
    def non_negative(numbers: list[int]) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=min(numbers) >= 0, metadata={"min": min(numbers)})

    @dg.asset_check(asset=numbers, name="has_rows")
    def rows_check(numbers: list[int]) -> bool:
        return len(numbers) > 0

    defs = dg.Definitions(assets=[numbers], asset_checks=[non_negative, rows_check])
    run_ids = [dg.materialize(defs, instance=instance).run_id for _ in range(4)]

    views = {v.name: v for v in check_views(defs, instance.store, "numbers")}
    assert set(views) == {"non_negative", "has_rows"}
    assert views["non_negative"].history == [True, False, True, False]  # oldest first
    assert views["has_rows"].history == [True, True, True, True]
    latest = views["non_negative"]
    assert latest.passed is False and plain(latest.metadata) == {"min": -1} and latest.run_id == run_ids[-1]
    rows = instance.store.get_events(asset_key="numbers", event_types=[EventType.ASSET_CHECK_EVALUATION], limit=100)
    assert [e.run_id for e in rows if e.data["check_name"] == "non_negative"] == run_ids
    assert [meta(e)["min"] for e in rows if e.data["check_name"] == "non_negative"] == [1, -5, 3, -1]
