"""Loading definitions again (the console's reload, several `dg.materialize` calls in one test
session) forgets the user's modules, never an installed one the first load imported."""

from __future__ import annotations

import sys
from pathlib import Path

from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.loader import load as load_location


def load(file: Path) -> object:
    return load_location(CodeLocation(file=str(file))).defs


def test_reload_keeps_installed_modules_first_imported_by_a_load(tmp_path: Path) -> None:
    """A load re-imports the user's own modules (so edits show), but an installed or standard
    module first imported by a definitions file stays loaded: dropping psutil that way broke it,
    since psutil looks itself up in sys.modules."""
    (tmp_path / "helpers_mod.py").write_text("VALUE = 1\n")
    file = tmp_path / "defs.py"
    file.write_text(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        + "import colorsys\nimport helpers_mod\nimport dagdeck as dg\n\n"
        "@dg.asset\ndef a() -> int:\n    return helpers_mod.VALUE\n\ndefs = dg.Definitions(assets=[a])\n"
    )
    sys.modules.pop("colorsys", None)  # as if nothing had imported it yet in this process
    load(file)
    assert "helpers_mod" in sys.modules and "colorsys" in sys.modules
    (tmp_path / "helpers_mod.py").write_text("VALUE = 22\n")
    load(file)  # the reload forgets the user's module, keeps the standard library's
    assert sys.modules["helpers_mod"].VALUE == 22
    colorsys = sys.modules["colorsys"]
    load(file)
    assert sys.modules["colorsys"] is colorsys
