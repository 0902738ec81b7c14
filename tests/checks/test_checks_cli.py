"""The checks CLI end to end (real worker processes, real SQLite): check steps in `runs show --json`,
`checks run NAME` against the stored value, `checks list --json`, `assets show --json`, and the
definition errors `dagdeck check` reports with file and line."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagdeck as dg
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.instance import Instance
from tests.checks.checks_helpers import parse_json, steps_by_key

Cli = Callable[..., subprocess.CompletedProcess[str]]
WriteDefs = Callable[..., Path]

DEFS = """
from pathlib import Path

import dagdeck as dg

HERE = Path(__file__).parent


@dg.asset
def orders():
    return [int(x) for x in (HERE / "value.txt").read_text().split()]


@dg.asset
def revenue(orders):
    return sum(orders)


@dg.asset(freshness_policy=dg.FreshnessPolicy(maximum_lag_minutes=30))
def rates():
    return 1.5


@dg.asset_check(asset=orders, description="prices are positive")
def positive(orders):
    return dg.AssetCheckResult(passed=min(orders) > 0, metadata={"min": min(orders), "n": len(orders)})


@dg.asset_check(asset=orders, blocking=True)
def not_empty(orders):
    return dg.AssetCheckResult(passed=bool(orders), severity=dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=revenue)
def revenue_sane(revenue):
    return revenue < 1000


defs = dg.Definitions(assets=[orders, revenue, rates], asset_checks=[positive, not_empty, revenue_sane])
"""


def _iso(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None
    return parsed


def test_check_steps_in_runs_show_and_checks_list(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    path = write_defs(DEFS)
    (path.parent / "value.txt").write_text("3 4 5")

    # before any run: every check is listed, never run, with its blocking flag; `rates` has a
    # freshness policy, so its freshness check is listed too
    before = cli("checks", "list", "--json", home=home, file=path)
    assert before.returncode == 0, before.stderr
    rows = {(r["asset_key"], r["name"]): r for r in parse_json(before)}
    assert set(rows) == {("orders", "positive"), ("orders", "not_empty"), ("revenue", "revenue_sane"), ("rates", "freshness")}
    assert all(r["passed"] is None and r["timestamp"] is None for r in rows.values())
    assert rows[("orders", "not_empty")]["blocking"] is True and rows[("orders", "positive")]["blocking"] is False

    mat = cli("materialize", "--json", home=home, file=path)
    assert mat.returncode == 0, mat.stderr
    run_id = parse_json(mat)["run_id"]
    shown = cli("runs", "show", run_id[:8], "--json", home=home, file=path)
    view = parse_json(shown)
    keys = [s["key"] for s in view["steps"]]
    # definition order of the checks, each group right after its asset
    assert keys == ["orders", "orders:positive", "orders:not_empty", "rates", "revenue", "revenue:revenue_sane"], keys
    assert {s["status"] for s in view["steps"]} == {"succeeded"}
    assert sorted(m["asset_key"] for m in view["materializations"]) == ["orders", "rates", "revenue"]

    listed = {(r["asset_key"], r["name"]): r for r in parse_json(cli("checks", "list", "--json", home=home, file=path))}
    pos = listed[("orders", "positive")]
    assert (pos["passed"], pos["severity"], pos["metadata"]) == (True, "ERROR", {"min": 3, "n": 3})
    _iso(pos["timestamp"])
    assert listed[("orders", "not_empty")]["severity"] == "WARN"
    assert listed[("revenue", "revenue_sane")]["passed"] is True
    assert listed[("rates", "freshness")]["passed"] is None  # only the daemon evaluates freshness


def test_checks_run_alone_against_the_stored_value(
    cli: Cli, write_defs: WriteDefs, home: Path, instance: Instance, load_file: Callable[[Path], Loaded]
) -> None:
    path = write_defs(DEFS)
    (path.parent / "value.txt").write_text("3 4 5")
    # stored by an in-process run on the same home (the check runs below are CLI + worker)
    assert dg.materialize(load_file(path).defs, selection="orders", instance=instance).success
    # the source changes, but the check judges what is stored, without re-materializing
    (path.parent / "value.txt").write_text("-1 7 8 9")
    with ThreadPoolExecutor(3) as pool:
        by_name = pool.submit(cli, "checks", "run", "positive", "--json", home=home, file=path)
        by_key = pool.submit(cli, "checks", "run", "orders:not_empty", "--json", home=home, file=path)
        unknown = pool.submit(cli, "checks", "run", "postive", home=home, file=path)
    for proc, key in [(by_name.result(), "orders:positive"), (by_key.result(), "orders:not_empty")]:
        assert proc.returncode == 0, proc.stderr
        view = parse_json(proc)
        assert [s["key"] for s in view["steps"]] == [key] and view["materializations"] == []
        assert view["status"] == "SUCCESS" and steps_by_key(view)[key]["status"] == "succeeded"
    bad = unknown.result()
    assert bad.returncode == 2 and "unknown asset check 'postive'" in bad.stderr and "'positive'" in bad.stderr
    shown = parse_json(cli("assets", "show", "orders", "--json", home=home, file=path))
    checks = {c["name"]: c for c in shown["checks"]}
    assert set(checks) == {"positive", "not_empty"}
    for c in checks.values():
        assert {"name", "passed", "severity", "timestamp", "metadata"} <= set(c)
        _iso(c["timestamp"])
    assert checks["positive"]["passed"] is True and checks["positive"]["metadata"] == {"min": 3, "n": 3}  # stored [3, 4, 5]
    assert checks["not_empty"]["passed"] is True and checks["not_empty"]["severity"] == "WARN"
    assert shown["stale"] is False and shown["stale_reasons"] == []
    assert len(shown["history"]) == 1  # checks run alone never materialize


CHECK_ERRORS = {
    "unknown_asset": (
        """
        import dagdeck as dg

        @dg.asset
        def orders():
            return [1]

        @dg.asset_check(asset="order")  # HERE
        def positive(order):
            return True

        defs = dg.Definitions(assets=[orders], asset_checks=[positive])
        """,
        ["checks unknown asset 'order'", "asset check positive", "did you mean 'orders'"],
    ),
    "duplicate_name": (
        """
        import dagdeck as dg

        @dg.asset
        def orders():
            return [1]

        @dg.asset_check(asset=orders)
        def positive(orders):
            return True

        @dg.asset_check(asset=orders, name="positive")  # HERE
        def positive_again(orders):
            return True

        defs = dg.Definitions(assets=[orders], asset_checks=[positive, positive_again])
        """,
        ["duplicate check name 'positive' on asset orders", "rename one check"],
    ),
}


def test_check_definition_errors_name_file_and_line(cli: Cli, write_defs: WriteDefs, home: Path) -> None:
    paths = {name: write_defs(code, f"{name}.py") for name, (code, _) in CHECK_ERRORS.items()}
    with ThreadPoolExecutor(len(paths)) as pool:
        procs = {name: pool.submit(cli, "check", home=home, file=p) for name, p in paths.items()}
    for name, (_, needles) in CHECK_ERRORS.items():
        proc = procs[name].result()
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        text = " ".join(ln.strip() for ln in lines)
        path = paths[name]
        line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "# HERE" in ln)
        assert f"{path.name}:{line}" in text.replace("\n", ""), (name, text)
        for needle in needles:
            assert needle in text, (name, needle, text)
