"""Issue 12, failure 3: hostile asset keys escape the home.

Each case runs the real `dagdeck` CLI in a child process against a definitions file written here,
then checks that the run database still opens with its earlier run, that nothing appeared outside
the home, and that the CLI said what is wrong in one line (load errors: exit 2 naming the file, the
object and the fix; a key that reaches the IO manager: the step fails, exit 1).

The Dagster behaviour each case matches was checked against dagster 1.13.28 in a separate venv.
"""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext, UnsafeStoragePath
from tests.faults.security_helpers import dagdeck

BENIGN = """
import dagdeck as dg

@dg.asset
def first():
    return 1

defs = dg.Definitions(assets=[first])
"""


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def deep_home(tmp_path: Path) -> Path:
    """A home three levels down, with one finished run in its database, so `../../..` has room."""
    home = tmp_path / "a" / "b" / "home"
    benign = tmp_path / "benign.py"
    benign.write_text(BENIGN)
    done = dagdeck("materialize", "--select", "*", home=home, file=benign)
    assert done.returncode == 0, done.stderr
    return home


def _assert_home_intact(tmp_path: Path, home: Path, before: set[str]) -> None:
    """The database still opens and holds the earlier run; nothing new appeared outside the home."""
    db = home / "dagdeck.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    listed = dagdeck("runs", "list", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) >= 1
    outside = {p for p in _files(tmp_path) - before if not p.startswith("a/b/home")}
    assert outside == set(), f"written outside the home: {sorted(outside)}"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hostile_defs.py"
    path.write_text("import dagdeck as dg\n" + textwrap.dedent(body))
    return path


LOAD_ERRORS = {
    # Dagster: asset(key=["..", "dagdeck.db"]) loads; dagdeck refuses "." and ".." (stricter on purpose)
    "dotdot_db": ('@dg.asset(key=["..", "dagdeck.db"])', "'..'"),
    # Dagster loads this too; dagdeck refuses: it would leave storage/ three levels up
    "dotdot_outside": ('@dg.asset(key=["..", "..", "..", "x"])', "'..'"),
    # Dagster: '"daily/report" is not a valid name ... ^[A-Za-z0-9_]+$'
    "slash_name": ('@dg.asset(name="daily/report")', "'daily/report'"),
    # Dagster refuses "/etc" in key=, and in key_prefix= ("/etc__x" is not a valid name)
    "absolute_key": ('@dg.asset(key=["/etc", "passwd"])', "'/etc'"),
    "absolute_prefix": ('@dg.asset(key_prefix=["/etc"])', "'/etc'"),
    # Dagster refuses a NUL in key= ("x\\x00y" is not a valid name)
    "nul_key": ('@dg.asset(key=["x\\x00y"])', "x\\x00y"),
    # Dagster refuses a space in name=
    "space_name": ('@dg.asset(name="daily report")', "'daily report'"),
    # Dagster refuses "a/b" as one key_prefix component ("a/b__x" is not a valid name)
    "slash_prefix": ('@dg.asset(key_prefix="a/b")', "'a/b'"),
}


@pytest.mark.parametrize("case", sorted(LOAD_ERRORS))
def test_hostile_asset_key_is_a_load_error(case: str, tmp_path: Path, deep_home: Path) -> None:
    """Failure 3: `key=["..", "dagdeck.db"]` reported SUCCESS and overwrote the run database,
    `["..", "..", "..", "x"]` wrote outside the home, `name="daily/report"` gave a false SUCCESS.
    Now each is a load error (exit 2, one line naming the file, the asset and the fix); the
    database and everything outside the home stay untouched. The Dagster behaviour matched per case
    is noted in LOAD_ERRORS (Dagster's rule: the key's op name, parts joined by `__` with `-` and `.`
    read as `_`, must match `^[A-Za-z0-9_]+$`)."""
    decorator, named = LOAD_ERRORS[case]
    defs = _write(tmp_path, f"\n{decorator}\ndef report():\n    return 'pwned'\n\ndefs = dg.Definitions(assets=[report])\n")
    before = _files(tmp_path)
    done = dagdeck("materialize", "--select", "*", home=deep_home, file=defs)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{defs}:" in lines[0] and named in lines[0] and "fix:" in lines[0], lines[0]
    _assert_home_intact(tmp_path, deep_home, before)


OTHER_NAMES = {
    # Dagster: op(name="a/b") -> '"a/b" is not a valid name'
    "op_name": '@dg.op(name="a/b")\ndef o():\n    return 1\n\n@dg.job\ndef j():\n    o()\n',
    # Dagster: op(out={"a/b": Out()}) -> '"a/b" is not a valid name'
    "out_name": '@dg.op(out={"a/b": dg.Out(), "c": dg.Out()})\ndef o():\n    return 1, 2\n\n@dg.job\ndef j():\n    o()\n',
    # Dagster: o.alias("x/y") -> '"x/y" is not a valid name'
    "alias": '@dg.op\ndef o():\n    return 1\n\n@dg.job\ndef j():\n    o.alias("x/y")()\n',
    # Dagster: asset_check(name="a b") -> '"first_a b" is not a valid name'
    "check_name": (
        "@dg.asset\ndef first():\n    return 1\n\n"
        '@dg.asset_check(asset=first, name="a b")\ndef c(first):\n    return dg.AssetCheckResult(passed=True)\n'
    ),
}


@pytest.mark.parametrize("case", sorted(OTHER_NAMES))
def test_bad_op_output_and_check_names_are_load_errors(case: str, tmp_path: Path, deep_home: Path) -> None:
    """Failure 3 (names beside asset keys): op names, output names, aliases and check names follow
    Dagster's `^[A-Za-z0-9_]+$` (check names may also hold `.`, as Dagster's do); a bad one is a load
    error with file, object and fix, not a step key with a `/` in it."""
    body = OTHER_NAMES[case]
    defs = _write(tmp_path, body + "\ndefs = dg.Definitions(" + ("jobs=[j])\n" if "def j" in body else "assets=[first], asset_checks=[c])\n"))
    before = _files(tmp_path)
    done = dagdeck("check", home=deep_home, file=defs)
    assert done.returncode == 2, (done.stdout, done.stderr)
    line = done.stderr.strip()
    assert "\n" not in line and f"{defs}:" in line and "fix:" in line, line
    _assert_home_intact(tmp_path, deep_home, before)


def test_dagster_key_characters_still_load_and_store_inside(tmp_path: Path, deep_home: Path) -> None:
    """Failure 3, the other side: Dagster 1.13 accepts `-` and `.` in key parts (`key=["raw-data",
    "v1.2"]` loads there), so dagdeck must too, and store the value at storage/raw-data/v1.2."""
    defs = _write(tmp_path, '@dg.asset(key=["raw-data", "v1.2"])\ndef r():\n    return 5\n\ndefs = dg.Definitions(assets=[r])\n')
    done = dagdeck("materialize", "--select", "*", home=deep_home, file=defs)
    assert done.returncode == 0, done.stderr
    assert (deep_home / "storage" / "raw-data" / "v1.2").is_file()


BYPASS_KEYS = {
    "dotdot_db": ["..", "dagdeck.db"],
    "dotdot_outside": ["..", "..", "..", "x"],
    "dot": ["."],
}


@pytest.mark.parametrize("case", sorted(BYPASS_KEYS))
def test_key_built_around_the_decorator_fails_the_step(case: str, tmp_path: Path, deep_home: Path) -> None:
    """Failure 3, defence in depth: an asset definition built directly with `AssetKey([...])`,
    bypassing `@asset`'s check (Dagster's AssetKey accepts any parts), still cannot write outside
    storage/: the filesystem IO manager refuses the key, the step fails with one clear reason, and
    the database is intact."""
    parts = BYPASS_KEYS[case]
    defs = _write(
        tmp_path,
        f"""
        from dagdeck.core.defs.assets import AssetsDefinition
        from dagdeck.core.defs.params import read_params

        def evil():
            return "pwned"

        key = dg.AssetKey({parts!r})
        hostile = AssetsDefinition(
            specs_by_key={{key: dg.AssetSpec(key)}}, fn=evil, params=read_params(evil), op_name="evil",
            output_names_by_key={{key: "result"}},
        )
        defs = dg.Definitions(assets=[hostile])
        """,
    )
    before = _files(tmp_path)
    done = dagdeck("materialize", "--select", "*", home=deep_home, file=defs)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "outside storage" in done.stdout + done.stderr, (done.stdout, done.stderr)
    _assert_home_intact(tmp_path, deep_home, before)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("asset_key", [".."]),
        ("asset_key", ["a", ".."]),
        ("asset_key", ["."]),
        ("step_key", "../../../x"),
        ("step_key", "/etc/x"),
        ("step_key", ".."),
        ("output_name", "a/b"),
        ("output_name", "x\x00y"),
        ("run_id", ".."),
    ],
)
def test_io_manager_refuses_paths_that_leave_storage(field: str, value: object, tmp_path: Path) -> None:
    """Failure 3: whatever the key (AssetKey built directly, or an op's step key, output name or run
    id), the filesystem IO manager refuses `..`, `.`, separators, absolute paths and NUL for writes,
    reads, existence checks and deletes, and creates nothing outside storage/."""
    storage = tmp_path / "home" / "storage"
    kwargs: dict[str, object] = {"run_id": "r1", "step_key": "s", "output_name": "result", "asset_key": None}
    kwargs[field] = AssetKey(value) if field == "asset_key" else value  # type: ignore[arg-type]
    ctx = IOContext(storage, **kwargs)  # type: ignore[arg-type]
    manager = FilesystemIOManager()
    before = _files(tmp_path)
    with pytest.raises(UnsafeStoragePath, match="outside storage"):
        manager.handle_output(ctx, "pwned")
    with pytest.raises(UnsafeStoragePath):
        manager.load_input(ctx)
    with pytest.raises(UnsafeStoragePath):
        manager.has_output(ctx)
    with pytest.raises(UnsafeStoragePath):
        manager.delete(ctx)
    assert {p for p in _files(tmp_path) - before if not p.startswith("home/storage")} == set()


@pytest.mark.parametrize("part", ["a/b", "/etc", "x\x00y"])
def test_asset_key_parts_cannot_hold_separators_or_nul(part: str) -> None:
    """Failure 3: a part with `/` made `name="daily/report"` a false SUCCESS (the key's string form
    `daily/report` reads back as two parts). Dagster's AssetKey accepts such parts and escapes them;
    dagdeck writes keys as `a/b` everywhere, so its AssetKey refuses `/` and NUL in a part."""
    with pytest.raises(ValueError, match="asset key"):
        AssetKey(["ok", part])


@pytest.mark.parametrize(
    ("parts", "stored"),
    [
        (["shop", "orders"], "shop/orders"),
        (["raw-data", "v1.2"], "raw-data/v1.2"),
        (["a b"], "a%20b"),
        (["100%"], "100%25"),
        (["caf\u00e9"], "caf%C3%A9"),
        (["..x"], "..x"),
    ],
)
def test_io_manager_encodes_other_characters(parts: list[str], stored: str, tmp_path: Path) -> None:
    """Failure 3: parts Dagster's AssetKey allows but a filename should not carry are percent-encoded
    (so two keys never share a file); plain keys keep the paths they always had."""
    storage = tmp_path / "storage"
    ctx = IOContext(storage, "r1", "s", asset_key=AssetKey(parts))
    manager = FilesystemIOManager()
    manager.handle_output(ctx, {"v": 1})
    assert (storage / stored).is_file()
    assert manager.load_input(ctx) == {"v": 1}
