"""Helpers for the bad-input fault tests (issue 12, failure 8): the installed `dagdeck` script run in
subprocesses against a fresh home, and the checks every bad input must pass (exit 2, one line on
stderr, no traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.cli.cli_helpers import json_of, one_line_error  # noqa: F401 - shared with the CLI tests

DAGDECK = Path(sys.executable).parent / "dagdeck"
"""The console script pip installed, so the tests exercise the real entry point."""

DEFS = """
import dagdeck as dg

@dg.asset
def small() -> int:
    return 1

@dg.asset
def huge_note() -> dg.MaterializeResult:
    # 3 MB of text (multi-byte characters, so truncation must not split one) and a 3 MB table
    return dg.MaterializeResult(
        metadata={
            "notes": "é" * (3 * 512 * 1024),
            "rows": dg.MetadataValue.table([{"n": i, "text": "x" * 100} for i in range(30_000)]),
            "count": 7,
        }
    )

small_job = dg.define_asset_job("small_job", selection="small")

defs = dg.Definitions(assets=[small, huge_note], jobs=[small_job])
"""


def write_defs(tmp_path: Path) -> Path:
    """The definitions file every test here loads."""
    path = tmp_path / "defs.py"
    path.write_text(textwrap.dedent(DEFS))
    return path


def run(
    *args: str, home: Path, file: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """One `dagdeck` command from the home's parent (no ./pyproject.toml there), with a clean env."""
    command = [str(DAGDECK), *(["-f", str(file)] if file else []), "--home", str(home), *args]
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    full_env.pop("DAGDECK_HOME", None)
    if "DAGDECK_STORE_URL" not in (env or {}):
        full_env.pop("DAGDECK_STORE_URL", None)
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=str(home.parent), env=full_env
    )


def recorded_runs(home: Path) -> list[dict[str, Any]]:
    """Every run the home's store holds, as `runs list --json` reports them."""
    listed = run("runs", "list", "--limit", "1000", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    runs: list[dict[str, Any]] = json_of(listed)
    return runs


def settings_file(home: Path, text: str) -> None:
    """Write `<home>/dagdeck.toml`."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagdeck.toml").write_text(text)
