"""Progress while the CLI waits on a run: Rich's live display in a terminal (a pty here), plain
lines on stderr when piped or with NO_COLOR, nothing extra with --json."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
from collections.abc import Callable
from pathlib import Path

from cli_helpers import DAGDECK, run_dagdeck

WriteDefs = Callable[..., Path]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

DEFS = """
import time

import dagdeck as dg


@dg.asset
def slow():
    for n in range(6):
        print(f"slow chunk {n}", flush=True)
        time.sleep(0.4)
    return 1


@dg.asset
def brittle():
    raise ValueError("broke on purpose")
"""


def _in_terminal(args: list[str], home: Path, file: Path) -> tuple[int, str]:
    """Run `dagdeck` with a pty as its stdout (a terminal, as a user's shell gives it); the bytes
    it wrote there and its exit code."""
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("NO_COLOR", None)
    env.pop("DAGDECK_HOME", None)
    proc = subprocess.Popen(
        [str(DAGDECK), "-f", str(file), "--home", str(home), *args],
        stdout=slave,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        cwd=str(home.parent),
        env=env,
    )
    os.close(slave)
    out = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError("no output from the command for 120 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out.decode("utf-8", errors="replace")


def _text(out: str) -> str:
    """What the terminal output says, without its colour and cursor codes."""
    return ANSI.sub("", out)


def test_materialize_in_a_terminal_shows_live_progress(write_defs: WriteDefs, home: Path) -> None:
    defs = write_defs(DEFS)
    code, out = _in_terminal(["materialize", "--select", "slow,brittle", "--executor", "in_process"], home, defs)
    assert code == 1, out
    assert "\x1b[" in out  # a live display redraws in place
    out = _text(out)
    assert "/2 steps" in out  # steps done of total
    assert "running slow" in out  # the running step, with its elapsed time
    assert "failed brittle: ValueError: broke on purpose" in out  # the failure, as it happened
    assert out.index("failed brittle") < out.rindex("run ")  # ... before the closing summary
    assert "FAILURE" in out


def test_runs_logs_follow_in_a_terminal_keeps_progress_below_the_lines(write_defs: WriteDefs, home: Path) -> None:
    defs = write_defs(DEFS)
    started = run_dagdeck("materialize", "--select", "slow", "--detach", home=home, file=defs)
    assert started.returncode == 0, started.stderr
    run_id = started.stdout.strip()
    code, out = _in_terminal(["runs", "logs", "--follow", run_id], home, defs)
    assert code == 0, out
    out = _text(out)
    assert "slow.stdout: slow chunk 5" in out
    assert "/1 steps" in out


def test_piped_or_no_color_is_plain_and_json_has_no_progress(write_defs: WriteDefs, home: Path) -> None:
    defs = write_defs(DEFS)
    args = ("materialize", "--select", "slow,brittle", "--executor", "in_process")
    piped = subprocess.run(
        [str(DAGDECK), "-f", str(defs), "--home", str(home), *args],
        capture_output=True,
        text=True,
        cwd=str(home.parent),
        env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "DAGDECK_HOME")},
        timeout=120,
    )
    assert piped.returncode == 1
    assert "\x1b[" not in piped.stdout + piped.stderr
    assert "started slow" in piped.stderr and "succeeded slow in" in piped.stderr
    assert "failed brittle: ValueError: broke on purpose" in piped.stderr
    assert "steps" not in piped.stdout.splitlines()[0]  # stdout starts with the summary table, as before

    no_color = run_dagdeck(*args, home=home, file=defs)  # NO_COLOR=1 (the helper sets it)
    assert "\x1b[" not in no_color.stdout + no_color.stderr
    assert "failed brittle: ValueError: broke on purpose" in no_color.stderr

    as_json = run_dagdeck(*args, "--json", home=home, file=defs)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["status"] == "FAILURE"
    assert "started" not in as_json.stderr and "brittle" not in as_json.stderr
