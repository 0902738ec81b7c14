"""The scheduling loop every executor shares (`executors/scheduler.py`), driven by a scripted runner,
plus the stable orders and the one step-context builder it relies on.

The scripted runner finishes steps in the order they started, one per `finished` call, so each test
is deterministic and waits on nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import dagdeck as dg
from dagdeck.core.defs.asset_graph import stable_order
from dagdeck.core.events import EventType
from dagdeck.core.running.executors.scheduler import schedule
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.plan_assets import plan_assets
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.running.run_env import RunEnv, step_context
from dagdeck.core.statuses import StepStatus


class ScriptedRunner:
    """Finishes the oldest running step on each `finished` call with its scripted outcome."""

    def __init__(
        self,
        env: RunEnv,
        limit: int | None = None,
        outcomes: dict[str, StepStatus | None] | None = None,
        cancel_after: str | None = None,
        hang: frozenset[str] = frozenset(),
    ) -> None:
        self.limit = limit
        self.env = env
        self.outcomes = outcomes or {}
        self.cancel_after = cancel_after
        self.hang = hang
        self.started: list[str] = []
        self.running: list[str] = []
        self.most_at_once = 0
        self.interrupted = False
        self.abandoned: list[str] = []

    def start(self, step: Step) -> None:
        self.started.append(step.key)
        self.running.append(step.key)
        self.most_at_once = max(self.most_at_once, len(self.running))

    def finished(self, timeout: float) -> list[tuple[str, StepStatus | None]]:
        for key in self.running:
            if key not in self.hang:
                self.running.remove(key)
                if key == self.cancel_after:
                    self.env.cancel_event.set()
                return [(key, self.outcomes.get(key, StepStatus.SUCCEEDED))]
        return []

    def interrupt(self) -> None:
        self.interrupted = True

    def abandon(self, keys: list[str]) -> list[str]:
        self.abandoned = keys
        return keys


def _env(tmp_path: Path) -> tuple[RunEnv, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    return RunEnv("run", "job", events.append, threading.Event(), {}, tmp_path), events


def _plan(deps: dict[str, list[str]]) -> ExecutionPlan:
    """Assets named by `deps` (asset -> its upstream assets), planned as the engine plans them."""
    assets = [dg.asset(name=name, deps=ups)(lambda: None) for name, ups in deps.items()]
    defs = dg.Definitions(assets=assets)
    return plan_assets(defs, defs.asset_graph.assets)


def _of(events: list[dict[str, Any]], event_type: str) -> dict[str, dict[str, Any]]:
    return {e["step_key"]: e for e in events if e["event_type"] == event_type}


def test_steps_start_after_their_upstream_and_never_above_the_limit(tmp_path: Path) -> None:
    env, _ = _env(tmp_path)
    plan = _plan({"a": [], "b": [], "c": [], "d": [], "join": ["a", "b", "c", "d"], "last": ["join"]})
    runner = ScriptedRunner(env, limit=2)

    result = schedule(plan, env, runner, grace_seconds=0)

    assert runner.most_at_once == 2
    assert runner.started[-2:] == ["join", "last"]
    assert result.outcomes == dict.fromkeys(plan.steps, StepStatus.SUCCEEDED)
    assert result.failed == [] and result.hung == []


def test_a_failure_skips_everything_downstream_naming_the_upstream_that_failed(tmp_path: Path) -> None:
    env, events = _env(tmp_path)
    plan = _plan({"a": [], "b": ["a"], "c": ["b"], "other": []})
    runner = ScriptedRunner(env, outcomes={"a": StepStatus.FAILED})

    result = schedule(plan, env, runner, grace_seconds=0)

    assert result.outcomes == {
        "a": StepStatus.FAILED,
        "b": StepStatus.SKIPPED,
        "c": StepStatus.SKIPPED,
        "other": StepStatus.SUCCEEDED,
    }
    assert runner.started == ["a", "other"]
    skipped = _of(events, EventType.STEP_SKIPPED)
    assert skipped["b"]["message"] == "upstream step a did not succeed"
    assert skipped["c"]["message"] == "upstream step b did not succeed"
    assert result.failed == ["a"]


def test_cancel_stops_starting_steps_then_hung_ones_are_canceled_and_unstarted_skipped(tmp_path: Path) -> None:
    env, events = _env(tmp_path)
    plan = _plan({"a_first": [], "b_slow": [], "c_later": [], "d_after": ["a_first"]})
    runner = ScriptedRunner(env, limit=2, cancel_after="a_first", hang=frozenset({"b_slow"}))

    result = schedule(plan, env, runner, grace_seconds=0)

    assert runner.started == ["a_first", "b_slow"]
    assert runner.interrupted and runner.abandoned == ["b_slow"]
    assert result.hung == ["b_slow"]
    assert result.outcomes == {
        "a_first": StepStatus.SUCCEEDED,
        "b_slow": StepStatus.CANCELED,
        "c_later": StepStatus.SKIPPED,
        "d_after": StepStatus.SKIPPED,
    }
    failure = _of(events, EventType.STEP_FAILURE)["b_slow"]
    assert failure["data"]["canceled"] is True
    skipped = _of(events, EventType.STEP_SKIPPED)
    assert {k: e["message"] for k, e in skipped.items()} == dict.fromkeys(
        ["c_later", "d_after"], "run canceled before this step started"
    )


def test_a_step_its_runner_never_ran_after_a_cancel_is_skipped(tmp_path: Path) -> None:
    env, events = _env(tmp_path)
    plan = _plan({"first": [], "queued": []})
    runner = ScriptedRunner(env, limit=2, outcomes={"queued": None}, cancel_after="first")

    result = schedule(plan, env, runner, grace_seconds=60)  # "queued" reports at once: no waiting

    assert result.outcomes == {"first": StepStatus.SUCCEEDED, "queued": StepStatus.SKIPPED}
    assert result.hung == [] and runner.abandoned == []
    assert set(_of(events, EventType.STEP_SKIPPED)) == {"queued"}


def test_a_failed_blocking_check_skips_the_downstream_of_its_asset(tmp_path: Path) -> None:
    @dg.asset
    def orders() -> int:
        return 1

    @dg.asset_check(asset=orders, blocking=True)
    def positive(orders: int) -> bool:
        return orders > 0

    @dg.asset
    def report(orders: int) -> int:
        return orders

    defs = dg.Definitions(assets=[orders, report], asset_checks=[positive])
    plan = plan_assets(defs, defs.asset_graph.assets)
    check_key = next(k for k, s in plan.steps.items() if s.kind == "check")
    env, events = _env(tmp_path)
    runner = ScriptedRunner(env, outcomes={check_key: StepStatus.FAILED})

    result = schedule(plan, env, runner, grace_seconds=0)

    assert result.outcomes["report"] == StepStatus.SKIPPED
    assert _of(events, EventType.STEP_SKIPPED)["report"]["message"] == f"upstream step {check_key} did not succeed"


def test_stable_order_goes_level_by_level_alphabetically_within_a_level() -> None:
    upstream = {"z": set(), "b": {"z"}, "a": {"z", "y"}, "y": set(), "c": {"a"}}
    assert stable_order(upstream) == ["y", "z", "a", "b", "c"]


def test_asset_and_op_plans_come_in_the_stable_order() -> None:
    plan = _plan({"z": [], "b": ["z"], "a": ["z", "y"], "y": [], "c": ["a"]})
    assert plan.step_keys == ["y", "z", "a", "b", "c"]

    @dg.op
    def source() -> int:
        return 1

    @dg.op
    def double(x: int) -> int:
        return 2 * x

    @dg.op
    def add(x: int, y: int) -> int:
        return x + y

    @dg.job
    def arithmetic() -> None:
        one = source()
        add(double(one), source.alias("another")())

    defs = dg.Definitions(jobs=[arithmetic])
    assert plan_job(defs, "arithmetic").step_keys == ["another", "source", "double", "add"]


def test_assets_ops_and_checks_get_their_context_from_one_builder(tmp_path: Path) -> None:
    env, events = _env(tmp_path)
    env.run_tags = {"team": "data"}
    plan = _plan({"orders": []})
    ctx = step_context(plan.steps["orders"], env, attempt=3)

    assert (ctx.run_id, ctx.step_key, ctx.job_name, ctx.op_name) == ("run", "orders", "job", "orders")
    assert ctx.asset_key == dg.AssetKey("orders") and ctx.retry_number == 2
    assert ctx.run_tags == {"team": "data"} and not ctx.is_canceled()
    ctx.log.info("hello")
    assert events[-1]["message"] == "hello" and events[-1]["step_key"] == "orders"
    env.cancel_event.set()
    assert ctx.is_canceled()
