"""Asset jobs that select checks (`AssetSelection.checks`, `checks_for_assets`, `without_checks`),
run through `dagdeck job run`."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_helpers import cli_run, load, pipeline, run_record

import dagdeck as dg

JOBS = {
    "my_job": ({"my_asset", "my_asset:check_1", "my_asset:check_2", "both_checks"}, {"my_asset"}),
    "my_asset_only_job": ({"my_asset"}, {"my_asset"}),
    "checks_only_job": ({"my_asset:check_1", "my_asset:check_2", "both_checks"}, set()),
    "check_1_job": ({"my_asset:check_1"}, set()),
    "multi_only_job": ({"both_checks"}, set()),
}
CHECKS = {
    "my_job": {"check_1", "check_2", "small"},
    "my_asset_only_job": set(),
    "checks_only_job": {"check_1", "check_2", "small"},
    "check_1_job": {"check_1"},
    "multi_only_job": {"small"},
}


@pytest.mark.parametrize("job", list(JOBS))
def test_asset_job_runs_the_checks_its_selection_names(tmp_path: Path, job: str) -> None:
    """Dagster 1.13.28 (execute_in_process after my_job): `my_job` runs my_asset and its checks
    check_1, check_2 and the multi-asset check `both_checks` (check `small`); `my_asset_only_job`
    only my_asset, no check; `checks_only_job` the three checks and no materialization;
    `check_1_job` only check_1; `multi_only_job` only `both_checks`. Every check passes and every
    run succeeds (Dagster names a check step `my_asset_check_1`; dagdeck `my_asset:check_1`)."""
    file = pipeline("checks_jobs")
    home = tmp_path / "home"
    assert cli_run(file, "job", "run", "my_job", home=home).returncode == 0
    run = cli_run(file, "job", "run", job, home=home)
    assert run.returncode == 0, run.stderr
    steps, materialized = JOBS[job]
    assert run.steps == dict.fromkeys(steps, "succeeded")
    record = run_record(home, run.doc["run_id"])
    assert set(record.materializations) == materialized
    evals = [e.data for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"]
    assert {d["check_name"] for d in evals} == CHECKS[job]
    assert all(d["passed"] for d in evals)
    if "check_1" in CHECKS[job]:
        assert next(d for d in evals if d["check_name"] == "check_1")["metadata"]["value"]["value"] == 3


def test_check_selections_resolve_to_check_keys() -> None:
    """Dagster 1.13.28: `AssetSelection.checks(check_1)` resolves to AssetCheckKey(my_asset,
    check_1) and no asset; `checks_for_assets(my_asset)` and `all_asset_checks()` to the three
    checks of my_asset; `assets(my_asset).without_checks()` to my_asset and no check."""
    defs = load(pipeline("checks_jobs"))
    graph = defs.asset_graph
    of = {k: [c.key for c in cs] for k, cs in defs.checks_by_asset.items()}
    key = dg.AssetKey("my_asset")
    three = {dg.AssetCheckKey(key, n) for n in ("check_1", "check_2", "small")}
    checks_1 = dg.AssetSelection.checks(dg.AssetCheckKey(key, "check_1"))
    assert (checks_1.resolve(graph), checks_1.resolve_checks(graph, of)) == (
        set(),
        {dg.AssetCheckKey(key, "check_1")},
    )
    assert dg.AssetSelection.checks_for_assets("my_asset").resolve_checks(graph, of) == three
    assert dg.AssetSelection.all_asset_checks().resolve_checks(graph, of) == three
    without = dg.AssetSelection.assets("my_asset").without_checks()
    assert (without.resolve(graph), without.resolve_checks(graph, of)) == ({key}, set())
