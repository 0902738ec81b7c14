"""A user project may have its own `core`, `store`, `tui`, `tests` or `utils` package: dagdeck lives
under the `dagdeck` namespace only, so those names are the user's (a common layout that once failed
with "No module named 'core.helpers'")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

DEFS = """
import dagdeck as dg
from core.helpers import double
from store.names import TABLE
from tui.labels import LABEL
from tests.fixtures import ROWS
from utils import clean


@dg.asset
def rows() -> list[int]:
    return clean(ROWS)


@dg.asset(description=LABEL)
def doubled(rows: list[int]) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"table": TABLE, "total": sum(double(r) for r in rows)})


defs = dg.Definitions(assets=[rows, doubled])
"""

PACKAGES = {
    "core/__init__.py": "",
    "core/helpers.py": "def double(x):\n    return 2 * x\n",
    "store/__init__.py": "",
    "store/names.py": "TABLE = 'warehouse.doubled'\n",
    "tui/__init__.py": "",
    "tui/labels.py": "LABEL = 'Doubled rows.'\n",
    "tests/__init__.py": "",
    "tests/fixtures.py": "ROWS = [3, -1, 4]\n",
    "utils.py": "def clean(rows):\n    return [r for r in rows if r >= 0]\n",
}


def _project(root: Path) -> Path:
    for name, text in PACKAGES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "defs.py").write_text(textwrap.dedent(DEFS))
    return root / "defs.py"


def _dagdeck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DAGDECK_HOME", None)
    cmd = [sys.executable, "-m", "dagdeck", "--home", str(cwd / "home"), *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def test_a_project_with_its_own_core_store_tui_tests_and_utils_loads_and_runs(tmp_path: Path) -> None:
    _project(tmp_path)
    checked = _dagdeck(tmp_path, "-f", "defs.py", "check")
    assert checked.returncode == 0, checked.stderr
    assert "2 assets" in checked.stdout
    ran = _dagdeck(tmp_path, "-f", "defs.py", "materialize", "--select", "*", "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["status"] == "SUCCESS"
    shown = _dagdeck(tmp_path, "-f", "defs.py", "assets", "show", "doubled", "--json")
    assert shown.returncode == 0, shown.stderr
    latest = json.loads(shown.stdout)["latest"]["metadata"]
    assert latest["total"] == 14 and latest["table"] == "warehouse.doubled"
