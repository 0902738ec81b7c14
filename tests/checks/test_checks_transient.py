"""Transient assets (`@asset(transient=True)`): downstream steps of the same run receive the value,
its stored file goes when the run succeeds, stays after a failure so `runs reexecute --from-failure`
can load it (and goes once that re-execution succeeds)."""

from __future__ import annotations

import pickle
import subprocess
from collections.abc import Callable
from pathlib import Path

import dagdeck as dg
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.views.runs import asset_show_json, assets_list_json
from tests.checks.checks_helpers import evaluations, events, parse_json, steps_by_key

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]


def _defs(fail: list[bool]) -> dg.Definitions:
    @dg.asset(transient=True)
    def staged() -> list[int]:
        return [2, 3, 5]

    @dg.asset
    def total(staged: list[int]) -> int:
        if fail[0]:
            raise RuntimeError("warehouse down")
        return sum(staged)

    @dg.asset
    def kept() -> str:
        return "stays"

    @dg.asset_check(asset=staged)
    def staged_rows(staged: list[int]) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=len(staged) == 3, metadata={"rows": len(staged)})

    return dg.Definitions(assets=[staged, total, kept], asset_checks=[staged_rows])


def test_transient_value_reaches_downstream_and_is_removed_when_the_run_succeeds(instance: Instance) -> None:
    defs = _defs([False])
    result = dg.materialize(defs, instance=instance)
    assert result.success, result.outcome.reason
    storage = instance.storage_dir
    assert pickle.loads((storage / "total").read_bytes()) == 10  # downstream got [2, 3, 5]
    assert evaluations(instance, result.run_id)["staged_rows"].data["passed"] is True  # so did its check
    assert not (storage / "staged").exists()
    assert (storage / "kept").exists()
    removed = [e for e in events(instance, result.run_id, EventType.ENGINE_EVENT) if e.data.get("transient_removed")]
    assert [(e.step_key, e.asset_key) for e in removed] == [("staged", "staged")]
    # still recorded as materialized, and flagged transient for the console and the CLI
    rows = {r["key"]: r for r in assets_list_json(defs, instance.store)}
    assert rows["staged"]["transient"] is True and rows["total"]["transient"] is False
    assert rows["staged"]["latest_status"] == "materialized"
    assert asset_show_json(defs, instance.store, dg.AssetKey("staged"))["transient"] is True


def test_transient_value_is_kept_after_a_failure(instance: Instance) -> None:
    result = dg.materialize(_defs([True]), instance=instance, raise_on_error=False)
    assert result.status == "FAILURE"
    path = instance.storage_dir / "staged"
    assert path.exists() and pickle.loads(path.read_bytes()) == [2, 3, 5]
    assert not any(e.data.get("transient_removed") for e in events(instance, result.run_id, EventType.ENGINE_EVENT))


REEXEC = """
from pathlib import Path

import dagdeck as dg

HERE = Path(__file__).parent


@dg.asset(transient=True)
def staged():
    with open(HERE / "staged_calls.txt", "a") as f:
        f.write("x")
    return [2, 3, 5]


@dg.asset
def total(staged):
    if (HERE / "FAIL").exists():
        raise RuntimeError("warehouse down")
    return sum(staged)


defs = dg.Definitions(assets=[staged, total])
"""


def test_reexecute_from_failure_loads_the_kept_transient_value(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(REEXEC)
    marker = path.parent / "FAIL"
    marker.touch()
    first = cli("materialize", "--json", home=home, file=path)
    assert first.returncode == 1, first.stderr
    parent = parse_json(first)
    assert steps_by_key(parent)["total"]["status"] == "failed"
    stored = home / "storage" / "staged"
    assert stored.exists()

    marker.unlink()
    again = cli("runs", "reexecute", parent["run_id"], "--from-failure", "--json", home=home, file=path)
    assert again.returncode == 0, again.stderr
    child = parse_json(again)
    assert [s["key"] for s in child["steps"]] == ["total"] and child["status"] == "SUCCESS"
    assert child["parent_run_id"] == parent["run_id"]
    assert (path.parent / "staged_calls.txt").read_text() == "x"  # loaded, never recomputed
    assert pickle.loads((home / "storage" / "total").read_bytes()) == 10
    # the pipeline has now completed: the transient value is gone
    assert not stored.exists()
