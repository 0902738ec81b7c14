"""`dagdeck check`: every definition mistake is one line naming file:line, the object and the fix,
exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_helpers import assert_one_line_error, run_cli_parallel

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]

CASES: dict[str, tuple[str, list[str]]] = {
    "syntax_error": (
        """
        import dagdeck as dg

        @dg.asset
        def a(:  # HERE
            return 1
        """,
        ["syntax error"],
    ),
    "import_error": (
        """
        import dagdeck as dg
        import not_a_real_package_xyz  # HERE

        defs = dg.Definitions()
        """,
        ["ModuleNotFoundError", "not_a_real_package_xyz", "fix: install the missing package"],
    ),
    "error_raised_in_user_code": (
        """
        import dagdeck as dg

        LIMIT = int("ten")  # HERE
        """,
        ["ValueError", "fix:"],
    ),
    "unknown_dependency": (
        """
        import dagdeck as dg

        @dg.asset
        def orders():
            return 1

        @dg.asset
        def order_items():
            return 1

        @dg.asset  # HERE
        def report(order):
            return order
        defs = dg.Definitions(assets=[orders, order_items, report])
        """,
        ["asset report", "unknown asset 'order'", "did you mean", "'orders'"],
    ),
    "duplicate_key": (
        """
        import dagdeck as dg

        @dg.asset(name="orders")
        def first():
            return 1

        @dg.asset(name="orders")  # HERE
        def second():
            return 2
        defs = dg.Definitions(assets=[first, second])
        """,
        ["duplicate asset key 'orders'", "also defined at", "fix: rename one"],
    ),
    "selection_naming_unknown_asset": (
        """
        import dagdeck as dg

        @dg.asset
        def orders():
            return 1

        job = dg.define_asset_job("j", selection="+ordres")  # HERE
        defs = dg.Definitions(assets=[orders], jobs=[job])
        """,
        ["job j", "unknown asset 'ordres'", "did you mean 'orders'"],
    ),
    "invalid_cron": (
        """
        import dagdeck as dg

        @dg.asset
        def a():
            return 1

        job = dg.define_asset_job("hourly", selection="*")
        sched = dg.ScheduleDefinition(name="every_hour", job=job, cron_schedule="61 * * * *")  # HERE
        defs = dg.Definitions(assets=[a], jobs=[job], schedules=[sched])
        """,
        ["schedule every_hour", "invalid cron string '61 * * * *'", "fix:"],
    ),
    "op_input_not_wired": (
        """
        import dagdeck as dg

        @dg.op
        def one():
            return 1

        @dg.op
        def add(x, y):
            return x + y

        @dg.job  # HERE
        def adder():
            add(one())
        defs = dg.Definitions(jobs=[adder])
        """,
        ["adder", "input 'y' of op 'add' is not wired", "fix:"],
    ),
    "schedule_for_unknown_job": (
        """
        import dagdeck as dg

        @dg.asset
        def a():
            return 1

        daily = dg.define_asset_job("daily", selection="*")
        sched = dg.ScheduleDefinition(name="nightly", job_name="dayly", cron_schedule="0 0 * * *")  # HERE
        defs = dg.Definitions(assets=[a], jobs=[daily], schedules=[sched])
        """,
        ["schedule nightly", "unknown job 'dayly'", "did you mean 'daily'"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_one_clear_line(case: str, cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    code, expected = CASES[case]
    path = write_defs(code, f"{case}.py")
    line_no = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if "# HERE" in line)

    proc = cli("check", home=home, file=path)

    line = assert_one_line_error(proc)
    assert f"{path}:{line_no}" in line, line
    for fragment in expected:
        assert fragment in line, (fragment, line)
    assert "(fix:" in line, line


def test_cycle_error_prints_the_cycle_path_in_data_flow_order(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(
        """
        import dagdeck as dg

        @dg.asset
        def a(c):
            return c

        @dg.asset
        def b(a):
            return a

        @dg.asset
        def c(b):
            return b
        defs = dg.Definitions(assets=[a, b, c])
        """
    )
    line = assert_one_line_error(cli("check", home=home, file=path))
    assert str(path) in line and "dependency cycle" in line and "fix:" in line
    # a feeds b, b feeds c, c feeds a: any rotation of that path, never the reverse
    assert any(p in line for p in ("a -> b -> c -> a", "b -> c -> a -> b", "c -> a -> b -> c")), line


def test_asset_job_matching_nothing_is_an_empty_job(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    """Dagster 1.13.28: an asset job whose selection matches no asset (here `a` downstream minus all,
    or `groups("g") & groups("h")`) loads, and running it succeeds with no steps."""
    path = write_defs(
        """
        import dagdeck as dg

        @dg.asset(group_name="g")
        def a():
            return 1

        @dg.asset(group_name="h")
        def b():
            return 1

        empty = dg.define_asset_job("empty", selection=dg.AssetSelection.assets("a").downstream() - dg.AssetSelection.all())
        both = dg.define_asset_job("both", selection=dg.AssetSelection.groups("g") & dg.AssetSelection.groups("h"))
        defs = dg.Definitions(assets=[a, b], jobs=[empty, both])
        """
    )
    assert cli("check", home=home, file=path).returncode == 0
    ran = cli("job", "run", "empty", home=home, file=path)
    assert ran.returncode == 0 and "SUCCESS" in ran.stdout, ran.stdout + ran.stderr


def test_check_succeeds_and_debug_shows_a_traceback(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    good = write_defs(
        """
        import dagdeck as dg

        @dg.asset
        def a():
            return 1
        defs = dg.Definitions(assets=[a], jobs=[dg.define_asset_job("j", selection="a")])
        """,
        "good.py",
    )
    ok = cli("check", home=home, file=good)
    assert ok.returncode == 0, ok.stderr
    assert "1 asset, 1 job" in ok.stdout

    bad = write_defs("import dagdeck as dg\nimport not_a_real_package_xyz\n", "bad.py")
    debug = subprocess.run(
        [sys.executable, "-m", "dagdeck", "--debug", "-f", str(bad), "--home", str(home), "check"], capture_output=True, text=True
    )
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr


def test_usage_errors_exit_2(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(
        """
        import dagdeck as dg

        @dg.asset
        def a():
            return 1
        defs = dg.Definitions(assets=[a], jobs=[dg.define_asset_job("daily", selection="a")])
        """
    )
    unknown_job, unknown_run, bad_select, listed = run_cli_parallel(
        [("job", "run", "dayly"), ("runs", "show", "ffffffff"), ("materialize", "--select", "+b"), ("runs", "list", "--json")],
        home=home,
        file=path,
    )
    missing_file = cli("check", home=home, file=path.with_name("missing.py"))
    assert unknown_job.returncode == 2 and "did you mean 'daily'" in unknown_job.stderr
    assert unknown_run.returncode == 2 and "no run" in unknown_run.stderr
    assert bad_select.returncode == 2 and "unknown asset 'b'" in bad_select.stderr
    assert missing_file.returncode == 2 and "does not exist" in missing_file.stderr
    for proc in (unknown_job, unknown_run, bad_select, missing_file):
        assert "Traceback" not in proc.stderr
    assert listed.returncode == 0 and listed.stdout.strip() == "[]"
