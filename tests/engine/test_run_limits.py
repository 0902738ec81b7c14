"""Run config of the wrong shape is refused by the planner itself (whoever launches: CLI, console,
schedule, sensor), and `max_metadata_bytes` from settings reaches every step and check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import dagdeck as dg
from dagdeck.core.errors import RunConfigError
from dagdeck.core.instance import Instance
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.running.run_config import step_configs
from dagdeck.core.settings import Settings


class Threshold(dg.Config):
    limit: int = 3


@dg.op
def check_rows(config: Threshold) -> int:
    return config.limit


@dg.job
def rows_job() -> None:
    check_rows()


@pytest.mark.parametrize(
    ("run_config", "problem"),
    [
        ({"ops": 5}, '"ops" must be an object of steps, not a number'),
        ({"ops": {"check_rows": [1]}}, '"ops"."check_rows" must be an object, not a list'),
        ({"ops": {"check_rows": {"config": "x"}}}, '"ops"."check_rows"."config" must be an object, not a string'),
    ],
)
def test_run_config_of_the_wrong_shape_is_a_run_config_error(run_config: dict[str, Any], problem: str) -> None:
    plan = plan_job(dg.Definitions(jobs=[rows_job]), "rows_job")
    with pytest.raises(RunConfigError) as err:
        step_configs(plan, run_config)
    assert problem in str(err.value)


def test_run_config_of_the_right_shape_is_validated_into_the_config_class() -> None:
    plan = plan_job(dg.Definitions(jobs=[rows_job]), "rows_job")
    configs = step_configs(plan, {"ops": {"check_rows": {"config": {"limit": 7}}}})
    assert configs["check_rows"] == Threshold(limit=7)


def test_the_metadata_limit_from_settings_applies_to_steps_and_checks(tmp_path: Path) -> None:
    instance = Instance.open(tmp_path / "home", Settings(max_metadata_bytes=2048))

    @dg.asset
    def report() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"text": "x" * 5000, "rows": 3})

    @dg.asset_check(asset=report)
    def not_empty() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True, metadata={"sample": "y" * 5000})

    try:
        result = dg.materialize(dg.Definitions(assets=[report], asset_checks=[not_empty]), instance=instance)
        assert result.success
        store = instance.store
        text = store.materialization_history("report", limit=1)[0].data["metadata"]["text"]
        assert text["truncated"] is True and text["original_bytes"] == 5000
        assert len(text["value"].encode()) < 5000
        rows = store.materialization_history("report", limit=1)[0].data["metadata"]["rows"]
        assert rows == {"type": "int", "value": 3}
        check = store.get_events(event_types=["ASSET_CHECK_EVALUATION"])[-1]
        assert check.data["metadata"]["sample"]["truncated"] is True
    finally:
        instance.close()
