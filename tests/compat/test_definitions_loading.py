"""Definitions-level API (issue 13, item 7): `Definitions.merge`, `@dg.definitions`, `@repository`,
job lookups and reading stored asset values, each checked against Dagster 1.13.28."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from typing import Any

import pytest
from compat_helpers import cli, cli_run, load, pipeline, run_record

from dagdeck.core.errors import DefinitionError
from dagdeck.core.instance import Instance


def test_merge_joins_definitions_that_are_incomplete_alone(tmp_path: Path) -> None:
    """Dagster 1.13.28: `analytics.defs` alone does not resolve (`raw_orders` is produced by no
    asset), but `dagster definitions validate -f definitions_merge.py` passes with
    `Definitions.merge(ingest.defs, analytics.defs)`: materializing everything succeeds with
    order_total=50 and orders_per_customer=1.5; the jobs are __ASSET_JOB and analytics_job
    (order_total, orders_per_customer), the schedule analytics_job_schedule."""
    home = tmp_path / "home"
    run = cli_run(pipeline("definitions_merge"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {
        "raw_orders": "succeeded",
        "raw_customers": "succeeded",
        "order_total": "succeeded",
        "orders_per_customer": "succeeded",
    }
    defs = load(pipeline("definitions_merge"))
    assert defs.job_names == ["analytics_job"]
    assert {k.to_user_string() for k in defs.get_job_def("analytics_job").keys} == {
        "order_total",
        "orders_per_customer",
    }
    assert list(defs.schedules) == ["analytics_job_schedule"]
    instance = Instance.open(home)
    try:
        assert defs.load_asset_value("order_total", instance=instance) == 50
        assert defs.load_asset_value("orders_per_customer", instance=instance) == 1.5
    finally:
        instance.close()


def test_merge_refuses_two_different_resources_under_one_key() -> None:
    """Dagster 1.13.28: merging Definitions that bind different objects to the resource key
    `io_manager` raises DagsterInvariantViolationError "Definitions objects 0 and 1 have different
    resources with same key 'io_manager'"."""
    import dagdeck as dg

    first = dg.Definitions(resources={"io_manager": dg.FilesystemIOManager(base_dir="/tmp/a")})
    second = dg.Definitions(resources={"io_manager": dg.FilesystemIOManager(base_dir="/tmp/b")})
    with pytest.raises(DefinitionError, match="different resources named 'io_manager'"):
        dg.Definitions.merge(first, second)


def test_definitions_decorator_is_loaded_like_defs(tmp_path: Path) -> None:
    """Dagster 1.13.28: a file whose only definitions are a `@dg.definitions` function validates;
    materializing succeeds and sales_report carries metadata total=21, rows=3."""
    home = tmp_path / "home"
    run = cli_run(pipeline("definitions_decorator"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"sales": "succeeded", "sales_report": "succeeded"}
    assert run_record(home, run.doc["run_id"]).metadata("sales_report") == {"total": 21, "rows": 3}


def test_repository_list_is_loaded_like_defs(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dagster job list -f` shows numbers_job from the repository; running it
    succeeds with fetch_numbers then add_them (output 10); the repository also holds the asset
    greeting and the schedule numbers_job_schedule (`my_repository.schedule_defs[0].name`)."""
    home = tmp_path / "home"
    run = cli_run(pipeline("definitions_repository"), "job", "run", "numbers_job", home=home)
    assert run.returncode == 0, run.stderr
    assert run.status == "SUCCESS"
    assert run.steps == {"fetch_numbers": "succeeded", "add_them": "succeeded"}
    defs = load(pipeline("definitions_repository"))
    assert defs.job_names == ["numbers_job"]
    assert list(defs.schedules) == ["numbers_job_schedule"]
    assert defs.asset_graph.by_string.keys() == {"greeting"}
    module = _import(pipeline("definitions_repository"))
    repo = module.my_repository
    assert repo.name == "my_repository"
    assert repo.job_names == ["numbers_job"]
    assert [s.name for s in repo.schedule_defs] == ["numbers_job_schedule"]
    assert repo.get_job("numbers_job").name == "numbers_job"


def _import(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"compat_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "repo_defs.py"
    path.write_text("import dagdeck as dg\n\n" + textwrap.dedent(body))
    return path


def test_repository_dict_form(tmp_path: Path) -> None:
    """Dagster 1.13.28: `@repository` returning {"jobs": {"j": lambda: j}} validates, and the job
    j is the repository's job."""
    path = _write(
        tmp_path,
        """
        @dg.op
        def o():
            return 2

        @dg.job
        def j():
            o()

        @dg.repository
        def repo():
            return {"jobs": {"j": lambda: j}}
        """,
    )
    run = cli_run(path, "job", "run", "j", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"o": "succeeded"}


def test_several_repositories_are_one_clear_line(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dagster job list -f` on a file with repo1 and repo2 stops with "Must
    provide --repository as there is more than one repository ... Options are: ['repo1', 'repo2']"."""
    path = _write(
        tmp_path,
        """
        @dg.op
        def o():
            return 2

        @dg.job
        def j():
            o()

        @dg.repository
        def repo1():
            return [j]

        @dg.repository
        def repo2():
            return [j]
        """,
    )
    proc = cli(path, "check", home=tmp_path / "home")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "several repositories (repo1, repo2)" in lines[0]
    assert "Traceback" not in proc.stderr


def test_get_job_def_and_resolve_job_def() -> None:
    """Dagster 1.13.28: `defs.get_job_def("analytics_job").name == "analytics_job"` and
    `resolve_job_def` the same; an unknown name raises DagsterInvariantViolationError
    "Could not find job 'analytics'. Found: ...analytics_job..."."""
    defs = load(pipeline("definitions_merge"))
    assert defs.get_job_def("analytics_job").name == "analytics_job"
    assert defs.resolve_job_def("analytics_job") is defs.get_job_def("analytics_job")
    with pytest.raises(DefinitionError) as err:
        defs.get_job_def("analytics")
    assert "no job named 'analytics'" in err.value.problem
    assert "analytics_job" in (err.value.fix or "")
    repo_defs = load(pipeline("definitions_repository"))
    assert repo_defs.resolve_job_def("numbers_job").name == "numbers_job"


def test_asset_value_loader_reads_what_the_cli_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster 1.13.28: after a materialization, `with defs.get_asset_value_loader() as loader:
    loader.load_asset_value("raw_orders")` returns [12, 30, 8] and `defs.load_asset_value(
    "raw_customers")` ["ada", "grace"], read through the IO manager from the default instance."""
    home = tmp_path / "home"
    run = cli_run(pipeline("definitions_merge"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    monkeypatch.setenv("DAGDECK_HOME", str(home))
    defs = load(pipeline("definitions_merge"))
    with defs.get_asset_value_loader() as loader:
        assert loader.load_asset_value("raw_orders") == [12, 30, 8]
        assert loader.load_asset_value(["order_total"]) == 50
    assert defs.load_asset_value("raw_customers") == ["ada", "grace"]


def test_load_definitions_from_modules(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dagster job list -f definitions_from_modules.py` shows __ASSET_JOB,
    ping_job and signups_job; running signups_job succeeds with steps signups, signup_count and
    the check signups_positive (passed); the schedule signups_job_schedule and the sensor
    ping_sensor come along, none of them listed anywhere."""
    file = pipeline("definitions_from_modules")
    defs = load(file)
    assert defs.job_names == ["ping_job", "signups_job"]
    assert list(defs.schedules) == ["signups_job_schedule"]
    assert list(defs.sensors) == ["ping_sensor"]
    assert [c.name for c in defs.asset_checks] == ["signups_positive"]
    run = cli_run(file, "job", "run", "signups_job", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {
        "signups": "succeeded",
        "signup_count": "succeeded",
        "signup_count:signups_positive": "succeeded",
    }


def test_merge_counts_an_object_given_twice_once() -> None:
    """Dagster 1.13.28: merging two Definitions that both list the same asset `a` and job `j`
    resolves, with jobs j and __ASSET_JOB (no duplicate error)."""
    import dagdeck as dg

    @dg.asset
    def a() -> int:
        return 1

    @dg.op
    def o() -> int:
        return 1

    @dg.job
    def j() -> None:
        o()

    merged = dg.Definitions.merge(dg.Definitions(assets=[a], jobs=[j]), dg.Definitions(assets=[a], jobs=[j]))
    assert merged.resolve().job_names == ["j"]
    assert list(merged.asset_graph.by_string) == ["a"]


def test_a_file_of_bare_assets_loads_them(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dagster definitions validate -f definitions_bare_assets.py` passes (no
    Definitions in the file), and `dagster asset materialize --select '*'` runs hackernews_ids
    then top_ids, both succeeding."""
    home = tmp_path / "home"
    run = cli_run(pipeline("definitions_bare_assets"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"hackernews_ids": "succeeded", "top_ids": "succeeded"}


def test_a_file_of_one_job_loads_it_and_several_jobs_are_one_clear_line(tmp_path: Path) -> None:
    """Dagster 1.13.28: a file with assets a, b and one job j (no Definitions) loads the job only
    (`dagster job list -f` shows j); with two jobs and no Definitions, loading fails with "No
    repository and more than one job found ... it must have only one job in scope"."""
    one = _write(
        tmp_path,
        """
        @dg.asset
        def a():
            return 1

        @dg.op
        def o():
            return 1

        @dg.job
        def j():
            o()
        """,
    )
    defs = load(one)
    assert defs.job_names == ["j"]
    assert list(defs.asset_graph.assets) == []
    run = cli_run(one, "job", "run", "j", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"o": "succeeded"}
    two = _write(
        tmp_path,
        """
        @dg.op
        def o():
            return 1

        @dg.job
        def j1():
            o()

        @dg.job
        def j2():
            o()
        """,
    )
    proc = cli(two, "check", home=tmp_path / "home")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "several jobs and no Definitions (j1, j2)" in proc.stderr
