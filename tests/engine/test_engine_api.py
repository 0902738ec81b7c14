"""Definitions API semantics, run in-process with `dg.materialize` against a real SQLite instance."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import events_of

import dagdeck as dg
from dagdeck.core.defs.metadata import plain
from dagdeck.core.instance import Instance


def _step(result: dg.InProcessResult, key: str) -> Any:
    return next(s for s in result.view().steps if s.key == key)


# -- @asset -------------------------------------------------------------------------------------------
def test_bare_asset_takes_name_group_and_description_from_the_function() -> None:
    @dg.asset
    def orders() -> list[int]:
        """Raw orders."""
        return [1]

    assert isinstance(orders, dg.AssetsDefinition)
    assert orders.key == dg.AssetKey("orders")
    assert orders.group_name == "default"
    assert orders.description == "Raw orders."
    assert orders.retry_policy is None
    assert orders() == [1]  # direct invocation runs the function


def test_asset_with_every_argument(instance: Instance) -> None:
    @dg.asset
    def source() -> int:
        return 1

    policy = dg.RetryPolicy(max_retries=2, delay=0.1)

    @dg.asset(
        name="renamed",
        key_prefix=["warehouse", "sales"],
        deps=[source],
        group_name="sales",
        description="Explicit description.",
        metadata={"owner": "data-team"},
        retry_policy=policy,
        tags={"tier": "gold"},
        kinds=["python", "sql"],
    )
    def fn() -> str:
        """Docstring loses to description=."""
        return "x"

    assert fn.key == dg.AssetKey(["warehouse", "sales", "renamed"]) == dg.AssetKey("warehouse/sales/renamed")
    assert fn.key_prefix == ("warehouse", "sales")
    assert fn.group_name == "sales"
    assert fn.description == "Explicit description."
    assert fn.metadata == {"owner": "data-team"}
    assert fn.retry_policy == policy
    assert fn.tags == {"tier": "gold"}
    assert fn.kinds == frozenset({"python", "sql"})

    defs = dg.Definitions(assets=[source, fn])
    graph = defs.asset_graph
    key = dg.AssetKey("warehouse/sales/renamed")
    # deps=[...] orders the run but passes no value
    assert graph.upstream[key] == {dg.AssetKey("source")}
    assert graph.data_inputs[key] == {}
    assert graph.groups["sales"] == [key]

    result = dg.materialize(defs, instance=instance)
    assert result.success
    assert _step(result, "source").ended_at <= _step(result, "warehouse/sales/renamed").started_at
    assert result.output_for_node("warehouse/sales/renamed") == "x"
    assert (instance.storage_dir / "warehouse" / "sales" / "renamed").is_file()


def test_upstream_values_come_from_parameter_names_and_key_prefix(instance: Instance) -> None:
    @dg.asset(key_prefix="raw")
    def orders() -> list[int]:
        return [1, 2, 3]

    @dg.asset(key_prefix="raw")
    def cleaned(orders: list[int]) -> list[int]:  # same prefix: raw/orders
        return [o * 2 for o in orders]

    @dg.asset
    def total(cleaned: list[int]) -> int:  # unique last part: raw/cleaned
        return sum(cleaned)

    @dg.asset(ins={"src": dg.AssetIn(key="raw/orders")})
    def count(src: list[int]) -> int:
        return len(src)

    defs = dg.Definitions(assets=[orders, cleaned, total, count])
    graph = defs.asset_graph
    assert graph.data_inputs[dg.AssetKey("raw/cleaned")] == {"orders": dg.AssetKey("raw/orders")}
    assert graph.data_inputs[dg.AssetKey("total")] == {"cleaned": dg.AssetKey("raw/cleaned")}
    assert graph.data_inputs[dg.AssetKey("count")] == {"src": dg.AssetKey("raw/orders")}

    result = dg.materialize(defs, instance=instance)
    assert result.success
    assert result.output_for_node("total") == 12
    assert result.output_for_node("count") == 3
    assert result.output_for_node("raw/cleaned") == [2, 4, 6]


def test_context_first_parameter_logs_and_output_metadata(instance: Instance) -> None:
    seen: dict[str, Any] = {}

    @dg.asset
    def first(context: dg.AssetExecutionContext) -> int:
        seen["run_id"] = context.run_id
        seen["asset_key"] = context.asset_key
        context.log.info("loaded %d rows", 3)
        context.log.warning("careful")
        context.log.error("bad row")
        context.add_output_metadata({"rows": 3, "note": "from context"})
        return 3

    @dg.asset
    def second(ctx: dg.AssetExecutionContext, first: int) -> dg.Output:  # any name, annotated
        ctx.add_output_metadata({"extra": True})
        return dg.Output(first + 1, metadata={"value": first + 1})

    @dg.asset
    def third(second: int) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"written_elsewhere": second})

    result = dg.materialize([first, second, third], instance=instance)
    assert result.success
    assert seen == {"run_id": result.run_id, "asset_key": dg.AssetKey("first")}

    logs = events_of(instance, result.run_id, "LOG")
    assert [(e.step_key, e.level, e.message) for e in logs] == [
        ("first", "INFO", "loaded 3 rows"),
        ("first", "WARNING", "careful"),
        ("first", "ERROR", "bad row"),
    ]
    mats = {e.asset_key: plain(e.data["metadata"]) for e in events_of(instance, result.run_id, "ASSET_MATERIALIZATION")}
    storage = Path(instance.storage_dir)  # the filesystem IO manager adds where it stored each value
    assert mats == {
        "first": {"rows": 3, "note": "from context", "path": str(storage / "first")},
        "second": {"value": 4, "extra": True, "path": str(storage / "second")},
        "third": {"written_elsewhere": 4},
    }
    assert result.output_for_node("second") == 4
    # MaterializeResult: the asset stored its data itself, the IO manager wrote nothing
    assert (instance.storage_dir / "second").is_file()
    assert not (instance.storage_dir / "third").exists()


def test_metadata_value_helpers_are_stored_typed(instance: Instance) -> None:
    @dg.asset
    def rich() -> dg.MaterializeResult:
        return dg.MaterializeResult(
            metadata={
                "md": dg.MetadataValue.md("# Title"),
                "url": dg.MetadataValue.url("https://example.com/x"),
                "path": dg.MetadataValue.path(Path("/data/out.csv")),
                "json": dg.MetadataValue.json({"a": [1, 2]}),
                "table": dg.MetadataValue.table([{"id": 1, "v": "x"}, {"id": 2}]),
                "ts": dg.MetadataValue.timestamp(1_700_000_000.5),
                "n": 7,
                "f": 1.5,
                "flag": False,
                "nothing": None,
            }
        )

    result = dg.materialize([rich], instance=instance)
    (mat,) = events_of(instance, result.run_id, "ASSET_MATERIALIZATION")
    types = {k: v["type"] for k, v in mat.data["metadata"].items()}
    assert types == {
        "md": "md",
        "url": "url",
        "path": "path",
        "json": "json",
        "table": "table",
        "ts": "timestamp",
        "n": "int",
        "f": "float",
        "flag": "bool",
        "nothing": "null",
    }
    assert mat.data["metadata"]["table"]["value"] == {"columns": ["id", "v"], "rows": [[1, "x"], [2, None]]}


# -- resources and config -----------------------------------------------------------------------------
class _Warehouse:
    def __init__(self) -> None:
        self.writes: list[str] = []


def test_resources_are_injected_by_parameter_name(instance: Instance) -> None:
    warehouse = _Warehouse()

    @dg.asset
    def table(warehouse: _Warehouse) -> int:
        warehouse.writes.append("table")
        return len(warehouse.writes)

    @dg.op
    def load(warehouse: _Warehouse) -> str:
        warehouse.writes.append("op")
        return "ok"

    @dg.job
    def load_job() -> None:
        load()

    defs = dg.Definitions(assets=[table], jobs=[load_job], resources={"warehouse": warehouse})
    assert dg.materialize(defs, instance=instance).success
    assert dg.materialize(defs, instance=instance, job_name="load_job").success
    assert warehouse.writes == ["table", "op"]


class ScaleConfig(dg.Config):
    n: int
    factor: float = 2.0


def test_run_config_through_a_config_subclass(instance: Instance) -> None:
    @dg.asset
    def scaled(config: ScaleConfig) -> float:
        return config.n * config.factor

    ok = dg.materialize([scaled], instance=instance, run_config={"ops": {"scaled": {"config": {"n": 3}}}})
    assert ok.success
    assert ok.output_for_node("scaled") == 6.0

    runs_before = len(instance.store.list_runs())
    with pytest.raises(dg.DagsterInvalidConfigError) as bad:  # Dagster's: raised whatever raise_on_error says
        dg.materialize(
            [scaled],
            instance=instance,
            run_config={"ops": {"scaled": {"config": {"n": "many"}}}},
            raise_on_error=False,
        )
    assert "n" in str(bad.value) and "ScaleConfig" in str(bad.value)
    assert len(instance.store.list_runs()) == runs_before  # rejected before any run was made


# -- ops, graphs, jobs --------------------------------------------------------------------------------
@dg.op
def numbers() -> list[int]:
    return [1, 2, 3, 4, 5]


@dg.op(ins={"xs": dg.In(description="numbers")}, out={"evens": dg.Out(), "odds": dg.Out()})
def split(xs: list[int]) -> tuple[list[int], list[int]]:
    return [x for x in xs if x % 2 == 0], [x for x in xs if x % 2]


@dg.op(out={"low": dg.Out(), "high": dg.Out()})
def bounds(xs: list[int]):  # noqa: ANN201 - a generator of Outputs
    yield dg.Output(min(xs), output_name="low", metadata={"which": "min"})
    yield dg.Output(max(xs), output_name="high")


@dg.op
def total(xs: list[int]) -> int:
    return sum(xs)


@dg.op
def collect(parts: list[int]) -> list[int]:
    return sorted(parts)


@dg.op
def double(xs: list[int]) -> list[int]:
    return [x * 2 for x in xs]


@dg.graph
def summarize(xs: Any) -> Any:
    evens, odds = split(xs)
    return collect([total(evens), total(odds)])  # fan-in of two nodes of the same op


@dg.job
def pipeline() -> None:
    nums = numbers()
    summarize(nums)  # nested graph
    double(nums)  # fan-out: nums feeds split and double
    low, high = bounds(nums)
    collect.alias("edges")([low, high])


def test_job_of_ops_with_multiple_outputs_nesting_fan_out_and_fan_in(instance: Instance) -> None:
    assert set(pipeline.nodes) == {
        "numbers",
        "summarize.split",
        "summarize.total",
        "summarize.total_2",
        "summarize.collect",
        "double",
        "bounds",
        "edges",
    }
    assert pipeline.nodes["summarize.collect"].upstream_nodes == {"summarize.total", "summarize.total_2"}
    assert pipeline.nodes["double"].upstream_nodes == {"numbers"}
    assert pipeline.nodes["summarize.split"].upstream_nodes == {"numbers"}

    defs = dg.Definitions(jobs=[pipeline])
    result = dg.materialize(defs, instance=instance, job_name="pipeline")
    assert result.success, result.outcome.reason
    assert result.output_for_node("summarize.split", "evens") == [2, 4]
    assert result.output_for_node("summarize.split", "odds") == [1, 3, 5]
    assert result.output_for_node("summarize.collect") == [6, 9]
    assert result.output_for_node("double") == [2, 4, 6, 8, 10]
    assert result.output_for_node("edges") == [1, 5]
    outputs = events_of(instance, result.run_id, "STEP_OUTPUT")
    assert {(e.step_key, e.data["output"]) for e in outputs if e.step_key in ("bounds", "summarize.split")} == {
        ("bounds", "low"),
        ("bounds", "high"),
        ("summarize.split", "evens"),
        ("summarize.split", "odds"),
    }
    # op outputs live per run, not by asset key
    assert (instance.storage_dir / "runs" / result.run_id / "double" / "result").is_file()


def test_graph_to_job(instance: Instance) -> None:
    @dg.graph
    def etl() -> None:
        double(numbers())

    etl_job = etl.to_job(name="etl_job", tags={"team": "x"})
    assert isinstance(etl_job, dg.JobDefinition)
    assert etl_job.name == "etl_job" and etl_job.tags == {"team": "x"}
    defs = dg.Definitions(jobs=[etl_job])
    assert defs.job_names == ["etl_job"]
    result = dg.materialize(defs, instance=instance, job_name="etl_job")
    assert result.success
    assert result.output_for_node("double") == [2, 4, 6, 8, 10]


# -- failures and retries -----------------------------------------------------------------------------
def test_failure_skips_downstream_and_independent_branches_still_run(instance: Instance) -> None:
    @dg.asset
    def root() -> int:
        return 1

    @dg.asset
    def bad(root: int) -> int:
        raise ValueError(f"boom {root}")

    @dg.asset
    def after_bad(bad: int) -> int:
        return bad

    @dg.asset
    def good(context: dg.AssetExecutionContext, root: int) -> int:
        # still running when `bad` fails: finish only once its failure is in the store
        deadline = time.monotonic() + 60
        while not events_of(instance, context.run_id, "STEP_FAILURE"):
            if time.monotonic() > deadline:
                raise TimeoutError("bad's STEP_FAILURE was never recorded")
            time.sleep(0.01)
        return root + 1

    @dg.asset
    def after_good(good: int) -> int:
        return good + 1

    @dg.asset
    def solo() -> str:
        return "alone"

    result = dg.materialize([root, bad, after_bad, good, after_good, solo], instance=instance, raise_on_error=False)
    assert result.status == "FAILURE"
    statuses = {s.key: s.status for s in result.view().steps}
    assert statuses == {
        "root": "succeeded",
        "bad": "failed",
        "after_bad": "skipped",
        "good": "succeeded",
        "after_good": "succeeded",
        "solo": "succeeded",
    }
    (failure,) = events_of(instance, result.run_id, "STEP_FAILURE")
    assert failure.step_key == "bad"
    assert failure.data["error"] == "ValueError: boom 1"
    assert "Traceback (most recent call last)" in failure.data["traceback"]
    assert 'raise ValueError(f"boom {root}")' in failure.data["traceback"]
    assert _step(result, "bad").error == "ValueError: boom 1"
    assert [e.step_key for e in events_of(instance, result.run_id, "STEP_SKIPPED")] == ["after_bad"]
    assert events_of(instance, result.run_id, "RUN_FAILURE")
    assert "bad" in (instance.store.get_run(result.run_id).failure_reason or "")


def test_retry_policy_with_delay_and_backoff_until_success(instance: Instance, tmp_path: Path) -> None:
    counter = tmp_path / "attempts"

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=3, delay=0.2, backoff=dg.Backoff.LINEAR))
    def flaky(context: dg.AssetExecutionContext) -> int:
        n = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(n))
        assert context.retry_number == n - 1
        if n < 3:
            raise ConnectionError(f"attempt {n} failed")
        return n

    result = dg.materialize([flaky], instance=instance)
    assert result.success
    assert result.output_for_node("flaky") == 3
    step = _step(result, "flaky")
    assert (step.status, step.attempts, step.error) == ("succeeded", 3, None)

    retries = events_of(instance, result.run_id, "STEP_UP_FOR_RETRY")
    assert [e.data["attempt"] for e in retries] == [1, 2]
    assert [e.data["wait_s"] for e in retries] == pytest.approx([0.2, 0.4])
    assert "ConnectionError: attempt 1 failed" in retries[0].data["error"]
    starts = [e.timestamp for e in events_of(instance, result.run_id, "STEP_START")]
    assert [e.data["attempt"] for e in events_of(instance, result.run_id, "STEP_START")] == [1, 2, 3]
    assert starts[1] - starts[0] >= 0.2
    assert starts[2] - starts[1] >= 0.4


def test_retries_exhausted_end_failed(instance: Instance) -> None:
    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=1))
    def always_bad() -> int:
        raise RuntimeError("nope")

    result = dg.materialize([always_bad], instance=instance, raise_on_error=False)
    assert result.status == "FAILURE"
    step = _step(result, "always_bad")
    assert (step.status, step.attempts) == ("failed", 2)
    assert len(events_of(instance, result.run_id, "STEP_UP_FOR_RETRY")) == 1


# -- IO managers --------------------------------------------------------------------------------------
@dg.asset(key_prefix="raw")
def upstream_value() -> dict[str, int]:
    return {"rows": 41}


@dg.asset
def downstream_value(upstream_value: dict[str, int]) -> int:
    return upstream_value["rows"] + 1


def test_downstream_alone_loads_the_upstream_last_stored_value(instance: Instance) -> None:
    defs = dg.Definitions(assets=[upstream_value, downstream_value])
    first = dg.materialize(defs, instance=instance, selection="raw/upstream_value")
    assert first.success
    assert (instance.storage_dir / "raw" / "upstream_value").is_file()

    second = dg.materialize(defs, instance=instance, selection="downstream_value")
    assert second.success
    assert [s.key for s in second.view().steps] == ["downstream_value"]
    assert second.output_for_node("downstream_value") == 42


def test_missing_upstream_value_is_a_clear_step_error(instance: Instance) -> None:
    defs = dg.Definitions(assets=[upstream_value, downstream_value])
    result = dg.materialize(defs, instance=instance, selection="downstream_value", raise_on_error=False)
    assert result.status == "FAILURE"
    error = _step(result, "downstream_value").error or ""
    assert "raw/upstream_value" in error and "no stored value" in error
    assert "materialize it first" in error


def test_mem_io_manager_keeps_values_inside_the_run_only(instance: Instance) -> None:
    @dg.asset
    def a() -> list[int]:
        return [1, 2]

    @dg.asset
    def b(a: list[int]) -> int:
        return sum(a)

    defs = dg.Definitions(assets=[a, b], resources={"io_manager": dg.mem_io_manager})
    assert dg.materialize(defs, instance=instance).success
    assert not instance.storage_dir.exists() or not any(instance.storage_dir.rglob("*"))

    alone = dg.materialize(defs, instance=instance, selection="b", raise_on_error=False)
    assert alone.status == "FAILURE"
    assert "no stored value" in (_step(alone, "b").error or "")


# -- concurrency --------------------------------------------------------------------------------------
def test_independent_steps_run_concurrently(instance: Instance) -> None:
    # each step waits at the barrier for the other: run one after the other, both would time out
    both_running = threading.Barrier(2, timeout=60)

    @dg.asset
    def left() -> int:
        both_running.wait()
        return 1

    @dg.asset
    def right() -> int:
        both_running.wait()
        return 2

    result = dg.materialize([left, right], instance=instance)
    assert result.success, {s.key: s.error for s in result.view().steps}
    steps = result.view().steps
    assert {s.key: s.status for s in steps} == {"left": "succeeded", "right": "succeeded"}
    # the recorded step times overlap too: the second started before the first ended
    starts = [s.started_at for s in steps if s.started_at is not None]
    ends = [s.ended_at for s in steps if s.ended_at is not None]
    assert len(starts) == len(ends) == 2 and max(starts) < min(ends), (starts, ends)
