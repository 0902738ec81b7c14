"""The console's shell: a module location that never loaded reloads on save, the header at 80x24,
the daemon label and the quit warning, the Automation screen refreshing by itself."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tui_helpers import NEVER, plain, settle, wait_until

from dagdeck.core.console_api import ConsoleAPI
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.instance import Instance
from dagdeck.tui.app import DagdeckApp
from dagdeck.tui.screens.assets import AssetsScreen
from dagdeck.tui.widgets.status_bar import LoadErrorBanner

MakeApp = Callable[..., DagdeckApp]

BROKEN = """\
import dagdeck as dg


@dg.asset
def alpha(:
    return 1
"""
GOOD = """\
import dagdeck as dg


@dg.asset
def alpha():
    return 1


defs = dg.Definitions(assets=[alpha])
"""


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path)


async def test_module_that_never_loaded_reloads_once_fixed(instance: Instance, project: Path) -> None:
    """Point 2: `-m pkg.defs` broken at start-up; saving a fixed file reloads without a key press."""
    pkg = project / "shell15pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    defs = pkg / "defs.py"
    _write(defs, BROKEN)
    api = ConsoleAPI(instance, CodeLocation(module="shell15pkg.defs", working_dir=str(project)))
    assert defs.resolve() in [f.resolve() for f in api.watched_files]  # known before any load
    app = DagdeckApp(api, watch_files=True, poll_seconds=NEVER)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetsScreen)
        banner = screen.query_one(LoadErrorBanner)
        await wait_until(pilot, lambda: banner.has_class("-shown"), what="the load-error banner")
        assert api.defs is None
        _write(defs, GOOD)
        await wait_until(pilot, lambda: not banner.has_class("-shown"), what="the banner to hide")
        await wait_until(pilot, lambda: [r.key for r in screen.graph.rows] == ["alpha"], what="the loaded graph")
        assert "definitions did not load" not in plain(banner.content)
