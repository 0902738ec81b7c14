"""Errors at load (issue 13, item 8): a Dagster name dagdeck lacks says so in one line naming the
file and line; a typo keeps a did-you-mean; a definition in the wrong `Definitions(...)` list is
named with the list it belongs in; an asset check in `assets=[...]` runs as Dagster runs it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from compat_helpers import cli, cli_run, pipeline, run_record


def _one_line(proc) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_unsupported_dagster_name_is_one_clear_line(tmp_path: Path) -> None:
    """Dagster 1.13.28: the file loads (customer_sensor is a multi-asset sensor). dagdeck has no
    multi-asset sensors yet, so `dagdeck check` prints one line naming the file and line 8,
    "dagdeck does not support 'multi_asset_sensor' yet" and docs/compatibility.md."""
    file = pipeline("definitions_unsupported")
    line = _one_line(cli(file, "check", home=tmp_path / "home"))
    assert f"{file}:8:" in line
    assert "dagdeck does not support 'multi_asset_sensor' yet" in line
    assert "docs/compatibility.md" in line
    run = cli(file, "materialize", home=tmp_path / "home")
    assert "dagdeck does not support 'multi_asset_sensor' yet" in _one_line(run)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "defs_file.py"
    path.write_text(textwrap.dedent(body).lstrip())
    return path


def test_unsupported_name_in_from_import(tmp_path: Path) -> None:
    """Dagster 1.13.28: `from dagster import DimensionPartitionMapping` imports. dagdeck reports
    "dagdeck does not support 'DimensionPartitionMapping' yet" at the import line (line 1), and
    Python sees an ImportError carrying that message."""
    path = _write(
        tmp_path,
        """
        from dagdeck import DimensionPartitionMapping, asset, Definitions
        defs = Definitions()
        """,
    )
    line = _one_line(cli(path, "check", home=tmp_path / "home"))
    assert f"{path}:1:" in line and "dagdeck does not support 'DimensionPartitionMapping' yet" in line
    with pytest.raises(ImportError, match="dagdeck does not support 'DimensionPartitionMapping' yet"):
        exec("from dagdeck import DimensionPartitionMapping", {})
    import dagdeck as dg

    assert not hasattr(dg, "DimensionPartitionMapping")
    with pytest.raises(AttributeError, match="dagdeck does not support 'DimensionPartitionMapping' yet"):
        dg.DimensionPartitionMapping  # noqa: B018


def test_a_typo_is_not_called_unsupported(tmp_path: Path) -> None:
    """Dagster 1.13.28: `dg.asst` raises AttributeError "module 'dagster' has no attribute 'asst'".
    dagdeck's one line says the same of 'dagdeck' and suggests 'asset'."""
    path = _write(
        tmp_path,
        """
        import dagdeck as dg

        @dg.asst
        def a():
            return 1
        """,
    )
    line = _one_line(cli(path, "check", home=tmp_path / "home"))
    assert "has no attribute 'asst'" in line and "did you mean 'asset'" in line
    assert "does not support" not in line


@pytest.mark.parametrize(
    ("defs_line", "expected"),
    [
        ("dg.Definitions(assets=[a, j])", "job 'j' is in assets=[...] (fix: put it in jobs=[...])"),
        ("dg.Definitions(assets=[a], jobs=[a])", "asset 'a' is in jobs=[...] (fix: put it in assets=[...]"),
        (
            "dg.Definitions(jobs=[j], sensors=[sched])",
            "schedule 'j_schedule' is in sensors=[...] (fix: put it in schedules=[...])",
        ),
        (
            "dg.Definitions(jobs=[j], schedules=[sen])",
            "sensor 'sen' is in schedules=[...] (fix: put it in sensors=[...])",
        ),
        (
            "dg.Definitions(assets=[a], asset_checks=[a])",
            "asset 'a' is in asset_checks=[...] (fix: put it in assets=[...])",
        ),
    ],
)
def test_definitions_in_the_wrong_list(tmp_path: Path, defs_line: str, expected: str) -> None:
    """Dagster 1.13.28: a job in assets=, an asset in jobs=, a schedule in sensors= and a sensor in
    schedules= raise CheckError "Member of iterable mismatches type. Expected <the right class>.
    Got <the definition>"; an asset in asset_checks= raises DagsterInvalidDefinitionError
    "Duplicate asset key: AssetKey(['a'])". dagdeck names the definition and the right list."""
    path = _write(
        tmp_path,
        f"""
        import dagdeck as dg

        @dg.asset
        def a():
            return 1

        @dg.op
        def o():
            return 1

        @dg.job
        def j():
            o()

        sched = dg.ScheduleDefinition(job=j, cron_schedule="0 * * * *")

        @dg.sensor(job=j)
        def sen(context):
            return None

        defs = {defs_line}
        """,
    )
    assert expected in _one_line(cli(path, "check", home=tmp_path / "home"))


def test_asset_check_in_assets_runs_as_a_check(tmp_path: Path) -> None:
    """Dagster 1.13.28: `Definitions(assets=[orders, orders_not_empty])` resolves with the check
    key orders/orders_not_empty; materializing runs orders then the check, which passes with
    metadata rows=3."""
    home = tmp_path / "home"
    run = cli_run(pipeline("definitions_check_in_assets"), "materialize", home=home)
    assert run.returncode == 0, run.stderr
    assert run.steps == {"orders": "succeeded", "orders:orders_not_empty": "succeeded"}
    record = run_record(home, run.doc["run_id"])
    evaluations = [e.data for e in record.events if e.event_type == "ASSET_CHECK_EVALUATION"]
    assert len(evaluations) == 1
    assert evaluations[0]["passed"] is True
    assert {k: v["value"] if isinstance(v, dict) else v for k, v in evaluations[0]["metadata"].items()} == {
        "rows": 3
    }


def test_keywords_dagdeck_lacks_and_keyword_typos(tmp_path: Path) -> None:
    """Dagster 1.13.28: `@dg.asset(pool="db")` loads (pool is a keyword of Dagster's asset);
    `@dg.asset(grup_name="x")` raises TypeError "asset got an unexpected keyword argument
    'grup_name'". dagdeck says it does not support pool= on asset yet, and for the typo suggests
    group_name, each in one line at the decorator's line."""
    unsupported = _write(
        tmp_path,
        """
        import dagdeck as dg

        @dg.asset(pool="db")
        def a():
            return 1

        defs = dg.Definitions(assets=[a])
        """,
    )
    line = _one_line(cli(unsupported, "check", home=tmp_path / "home"))
    assert f"{unsupported}:3:" in line and "dagdeck does not support pool= on asset yet" in line
    typo = _write(
        tmp_path,
        """
        import dagdeck as dg

        @dg.asset(grup_name="x")
        def a():
            return 1

        defs = dg.Definitions(assets=[a])
        """,
    )
    line = _one_line(cli(typo, "check", home=tmp_path / "home"))
    assert "unexpected keyword argument 'grup_name'" in line and "did you mean 'group_name'?" in line


def test_two_different_jobs_of_one_name_through_schedules_and_sensors(tmp_path: Path) -> None:
    """Dagster 1.13.28: a schedule and a sensor each given the graph g as job= make two jobs named
    g, and resolving fails with DagsterInvalidDefinitionError "Duplicate job definition found for
    job 'g'"; one of them alone loads, with job g."""
    body = """
        import dagdeck as dg

        @dg.op
        def o():
            return 1

        @dg.graph
        def g():
            o()

        hourly = dg.ScheduleDefinition(job=g, cron_schedule="0 * * * *")

        @dg.sensor(job=g)
        def watch(context):
            return None

        defs = dg.Definitions(schedules=[hourly]{sensors})
        """
    both = _write(tmp_path, body.replace("{sensors}", ", sensors=[watch]"))
    assert "duplicate job name 'g'" in _one_line(cli(both, "check", home=tmp_path / "home"))
    one = _write(tmp_path, body.replace("{sensors}", ""))
    run = cli_run(one, "job", "run", "g", home=tmp_path / "home")
    assert run.returncode == 0, run.stderr
    assert run.steps == {"o": "succeeded"}
