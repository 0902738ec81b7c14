"""Run the installed `dagdeck` script (the console-script entry point, not `python -m`) in subprocesses.

Imported by module name like the other test folders' helpers; no package needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

DAGDECK = Path(sys.executable).parent / "dagdeck"


def _command(args: tuple[str, ...], home: Path, file: Path | None) -> list[str]:
    return [str(DAGDECK), *(["-f", str(file)] if file is not None else []), "--home", str(home), *args]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(extra or {})}
    env.pop("DAGDECK_HOME", None)
    return env


def run_dagdeck(
    *args: str, home: Path, file: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """One `dagdeck` command, run from the home's parent so no ./pyproject.toml is picked up."""
    return subprocess.run(
        _command(args, home, file), capture_output=True, text=True, timeout=timeout, cwd=str(home.parent), env=_env(env)
    )


def run_many(
    commands: list[tuple[str, ...]], *, home: Path, file: Path | None = None, timeout: float = 120
) -> list[subprocess.CompletedProcess[str]]:
    """Several commands at once (only ones that do not write the same rows), results in order."""
    procs = [
        (
            args,
            subprocess.Popen(
                _command(args, home, file),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=str(home.parent),
                env=_env(),
            ),
        )
        for args in commands
    ]
    out = []
    for args, proc in procs:
        stdout, stderr = proc.communicate(timeout=timeout)
        out.append(subprocess.CompletedProcess(list(args), proc.returncode, stdout, stderr))
    return out


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, no traceback anywhere, exactly one non-empty line on stderr; returns that line."""
    assert proc.returncode == 2, (proc.args, proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, (proc.args, proc.stderr)
    return lines[0]


def json_of(proc: subprocess.CompletedProcess[str]) -> Any:
    """The one JSON document a `--json` command printed, with a readable failure otherwise."""
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise AssertionError(f"not one JSON document (rc={proc.returncode}): {err}\n{proc.stdout}\n{proc.stderr}") from None
