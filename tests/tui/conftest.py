"""Console fixtures: a definitions file in its own project dir, a frozen console clock, a console
app factory and a store seeded with fixed-timestamp runs (see tui_helpers)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_helpers import FROZEN_NOW, NEVER, SHOP_DEFS, seed_runs

from dagdeck.core.console_api import ConsoleAPI
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.instance import Instance
from dagdeck.tui import clock
from dagdeck.tui.app import DagdeckApp


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The code location's working dir; a fixed name so the header reads the same in every test."""
    path = tmp_path / "proj"
    path.mkdir()
    return path


@pytest.fixture
def defs_file(project: Path) -> Callable[[str], Path]:
    def write(code: str, name: str = "defs.py") -> Path:
        path = project / name
        path.write_text(textwrap.dedent(code))
        return path

    return write


@pytest.fixture
def shop(defs_file: Callable[[str], Path]) -> Path:
    return defs_file(SHOP_DEFS)


@pytest.fixture
def make_app(instance: Instance, project: Path) -> Callable[..., DagdeckApp]:
    """A console on `instance` for a definitions file; no file watching and no store polling unless
    asked for."""

    def make(
        file: Path,
        *,
        readonly: bool = False,
        watch_files: bool = False,
        poll_seconds: float = NEVER,
    ) -> DagdeckApp:
        api = ConsoleAPI(instance, CodeLocation(file=str(file), working_dir=str(project)))
        return DagdeckApp(api, readonly=readonly, watch_files=watch_files, poll_seconds=poll_seconds)

    return make


@pytest.fixture
def seeded(instance: Instance, shop: Path, project: Path) -> Instance:
    seed_runs(instance, shop, project)
    return instance


@pytest.fixture
def fresh_instance(home: Path) -> Iterator[Callable[[], Instance]]:
    """Open more instances on the same home (another process's view of the store)."""
    opened: list[Instance] = []

    def open_() -> Instance:
        inst = Instance.open(home)
        opened.append(inst)
        return inst

    yield open_
    for inst in opened:
        inst.close()
