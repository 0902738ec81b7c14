"""Shared fixtures: real instances in temp dirs, definitions files written by tests, and the real
`dagdeck` CLI run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dagdeck.core.instance import Instance
from dagdeck.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def instance(home: Path) -> Iterator[Instance]:
    inst = Instance.open(home, Settings())
    yield inst
    inst.close()


@pytest.fixture
def write_defs(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a definitions file (dedented) and return its path."""

    def write(code: str, name: str = "defs.py") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(code))
        return path

    return write


def run_cli(
    *args: str, home: Path, file: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "dagdeck"]
    if file is not None:
        cmd += ["-f", str(file)]
    cmd += ["--home", str(home), *args]
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    full_env.pop("DAGDECK_HOME", None)
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, cwd=str(file.parent if file else ROOT), env=full_env
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli
