"""Fixtures for the data-quality tests (asset checks, transient assets, staleness, freshness)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dagdeck.core.defs.loader import CodeLocation, Loaded, load


@pytest.fixture
def load_file(tmp_path: Path) -> Callable[[Path], Loaded]:
    """Load a definitions file written with `write_defs`, the way the CLI and the daemon do."""

    def make(path: Path) -> Loaded:
        return load(CodeLocation(file=str(path), working_dir=str(tmp_path)))

    return make
