"""A test module written the way Dagster's testing docs write one: plain pytest functions that call
`execute_in_process`, `materialize` and the `build_*_context` builders, and call ops, assets,
schedules, sensors and hooks directly. The same file passes under Dagster 1.13.28 with only the
import line changed (`import dagster as dg`); a copy of that run is kept at
/tmp/testing_dagster_style_under_dagster.py.
"""

import datetime

import pytest

import dagdeck as dg

# -- definitions under test -------------------------------------------------------------------------


class MultiplierConfig(dg.Config):
    factor: int = 2


@dg.op
def get_numbers() -> list[int]:
    return [1, 2, 3]


@dg.op
def multiply(config: MultiplierConfig, numbers: list[int]) -> list[int]:
    return [n * config.factor for n in numbers]


@dg.op
def total(numbers: list[int]) -> int:
    return sum(numbers)


@dg.job
def numbers_job():
    total(multiply(get_numbers()))


@dg.graph
def numbers_graph():
    return total(multiply(get_numbers()))


@dg.op(config_schema={"greeting": str})
def greet(context: dg.OpExecutionContext) -> str:
    context.log.info("greeting")
    return f"{context.op_config['greeting']}, world"


@dg.op
def explode():
    raise ValueError("the op broke")


@dg.job
def exploding_job():
    explode()


@dg.op(out=dg.DynamicOut())
def fan_out():
    for name in ["a", "b"]:
        yield dg.DynamicOutput(name.upper(), mapping_key=name)


@dg.op
def shout(letter: str) -> str:
    return letter + "!"


@dg.job
def mapped_job():
    fan_out().map(shout)


@dg.asset
def raw_orders() -> list[dict]:
    return [{"id": 1, "amount": 10}, {"id": 2, "amount": 5}]


@dg.asset
def order_total(context: dg.AssetExecutionContext, raw_orders: list[dict]) -> int:
    amount = sum(o["amount"] for o in raw_orders)
    context.add_output_metadata({"orders": len(raw_orders)})
    return amount


@dg.asset_check(asset=order_total)
def total_is_positive(order_total: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=order_total > 0, metadata={"total": order_total})


@dg.asset
def broken_asset() -> int:
    raise RuntimeError("asset failed")


@dg.asset
def plain_add() -> int:
    return 1 + 1


@dg.asset
def scaled(config: MultiplierConfig) -> int:
    return 10 * config.factor


@dg.schedule(cron_schedule="0 6 * * *", job=numbers_job)
def morning_schedule(context: dg.ScheduleEvaluationContext):
    date = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=date, tags={"date": date})


@dg.sensor(job=numbers_job)
def cursor_sensor(context: dg.SensorEvaluationContext):
    seen = int(context.cursor or 0)
    if seen >= 3:
        return dg.SkipReason("nothing new")
    context.update_cursor(str(seen + 1))
    return dg.RunRequest(run_key=f"item-{seen + 1}")


@dg.success_hook
def remember_success(context: dg.HookContext):
    return f"{context.op.name} ok"


# -- tests ----------------------------------------------------------------------------------------


def test_job_execute_in_process():
    result = numbers_job.execute_in_process()
    assert result.success
    assert result.output_for_node("total") == 12
    assert result.output_for_node("multiply") == [2, 4, 6]


def test_job_with_run_config():
    result = numbers_job.execute_in_process(
        run_config=dg.RunConfig(ops={"multiply": MultiplierConfig(factor=10)})
    )
    assert result.success
    assert result.output_for_node("total") == 60


def test_graph_execute_in_process_output_value():
    result = numbers_graph.execute_in_process()
    assert result.success
    assert result.output_value() == 12


def test_step_events():
    result = numbers_job.execute_in_process()
    successes = [e.step_key for e in result.get_step_success_events()]
    assert sorted(successes) == ["get_numbers", "multiply", "total"]
    assert all(e.is_step_success for e in result.get_step_success_events())
    types = [e.event_type_value for e in result.events_for_node("total")]
    assert "STEP_START" in types and "STEP_SUCCESS" in types


def test_failure_raises_by_default():
    with pytest.raises(ValueError, match="the op broke"):
        exploding_job.execute_in_process()


def test_failure_without_raising():
    result = exploding_job.execute_in_process(raise_on_error=False)
    assert not result.success
    failures = result.get_step_failure_events()
    assert [e.step_key for e in failures] == ["explode"]
    assert failures[0].is_step_failure


def test_mapped_outputs():
    result = mapped_job.execute_in_process()
    assert result.output_for_node("shout") == {"a": "A!", "b": "B!"}


def test_materialize_assets_and_checks():
    result = dg.materialize([raw_orders, order_total, total_is_positive])
    assert result.success
    assert result.output_for_node("order_total") == 15
    materializations = result.asset_materializations_for_node("order_total")
    assert materializations[0].metadata["orders"].value == 2
    evaluations = result.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [("total_is_positive", True)]
    assert evaluations[0].metadata["total"].value == 15


def test_materialize_raises_on_failure():
    with pytest.raises(RuntimeError, match="asset failed"):
        dg.materialize([broken_asset])
    result = dg.materialize([broken_asset], raise_on_error=False)
    assert not result.success


def test_materialize_to_memory_with_config():
    result = dg.materialize_to_memory(
        [scaled], run_config=dg.RunConfig(ops={"scaled": MultiplierConfig(factor=3)})
    )
    assert result.success
    assert result.output_for_node("scaled") == 30


def test_materialize_with_instance_for_test():
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_orders, order_total], instance=instance)
        assert result.success
        event = instance.get_latest_materialization_event(dg.AssetKey("order_total"))
        assert event is not None
        assert event.asset_materialization.metadata["orders"].value == 2


def test_ephemeral_instance():
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([plain_add], instance=instance)
    assert result.success
    assert result.dagster_run.run_id == result.run_id


def test_call_op_directly():
    assert get_numbers() == [1, 2, 3]
    assert multiply(MultiplierConfig(factor=3), [1, 2]) == [3, 6]


def test_call_op_with_built_context():
    context = dg.build_op_context(op_config={"greeting": "hello"})
    assert greet(context) == "hello, world"


def test_call_asset_directly():
    assert plain_add() == 2
    assert order_total(dg.build_asset_context(), [{"amount": 4}]) == 4
    assert scaled(MultiplierConfig(factor=5)) == 50


def test_schedule_with_built_context():
    context = dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2024, 3, 1, 6, 0))
    request = morning_schedule(context)
    assert request.run_key == "2024-03-01"
    assert request.tags["date"] == "2024-03-01"


def test_sensor_with_built_context():
    context = dg.build_sensor_context(cursor="1")
    request = cursor_sensor(context)
    assert request.run_key == "item-2"
    assert context.cursor == "2"
    skipped = cursor_sensor(dg.build_sensor_context(cursor="3"))
    assert isinstance(skipped, dg.SkipReason)


def test_hook_with_built_context():
    context = dg.build_hook_context(op=total)
    assert remember_success(context) == "total ok"
