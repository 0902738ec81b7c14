"""Small helpers shared by the engine tests (imported by module name; no package needed)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from dagdeck.core.instance import Instance
from dagdeck.store import EventRow

STEP_STATUSES = {"pending", "running", "succeeded", "failed", "up_for_retry", "skipped", "canceled"}


def events_of(instance: Instance, run_id: str, event_type: str | None = None) -> list[EventRow]:
    """Every event of one run in id order, optionally of one type."""
    rows = instance.store.get_events(run_id=run_id, limit=1_000_000)
    return [e for e in rows if event_type is None or e.event_type == event_type]


def steps_by_key(view_json: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in view_json["steps"]}


def parse_json(proc: subprocess.CompletedProcess[str]) -> Any:
    """The one JSON document a `--json` command prints, with a readable failure otherwise."""
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise AssertionError(
            f"not one JSON document (rc={proc.returncode}): {err}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        ) from None


def assert_iso_tz(value: Any) -> dt.datetime:
    """An ISO 8601 timestamp that carries a time zone."""
    assert isinstance(value, str), value
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and parsed.utcoffset() is not None, value
    return parsed


def assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit code 2, no traceback, one non-empty line on stderr; returns that line."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def run_cli_parallel(
    commands: list[tuple[str, ...]], *, home: Path, file: Path, timeout: float = 120
) -> list[subprocess.CompletedProcess[str]]:
    """Several `dagdeck` commands at once (read-only ones: saves the interpreter start-up per call)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("DAGDECK_HOME", None)
    procs = [
        (
            args,
            subprocess.Popen(
                [sys.executable, "-m", "dagdeck", "-f", str(file), "--home", str(home), *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=str(file.parent),
                env=env,
            ),
        )
        for args in commands
    ]
    out = []
    for args, proc in procs:
        stdout, stderr = proc.communicate(timeout=timeout)
        out.append(subprocess.CompletedProcess(list(args), proc.returncode, stdout, stderr))
    return out
