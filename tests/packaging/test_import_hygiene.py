"""The engine and the store never load the console or Textual, by any route.

import-linter reads import statements; an `importlib` detour or a plugin hook would slip past it.
This test imports every engine and store module in a fresh interpreter and looks at `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, pkgutil, sys
import dagdeck, dagdeck.core, dagdeck.store
names = []
for package in (dagdeck.core, dagdeck.store):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name:
            continue  # Alembic scripts, loaded by Alembic itself
        __import__(info.name)
        names.append(info.name)
from dagdeck.core.cli.app import app  # the engine's CLI, without the console command on it
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "dagdeck.tui")))
print(json.dumps({"imported": names, "console": loaded}))
"""


def test_engine_and_store_never_load_the_console() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "dagdeck.core.running.launcher" in result["imported"]  # the walk really covered the engine
    assert "dagdeck.core.console_api" in result["imported"]
    assert "dagdeck.store.engine" in result["imported"]
    assert result["console"] == []


def test_the_public_api_loads_neither_the_store_nor_the_console() -> None:
    """`import dagdeck as dg` in a definitions file stays light: no SQL, no Textual."""
    probe = "import sys, dagdeck as dg; dg.asset; print(sorted(m for m in ('sqlalchemy', 'textual', 'dagdeck.store', 'dagdeck.tui') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
