"""Helpers for the interrupted-tick fault tests: a real `dagdeck daemon` subprocess, held at a known
point of a tick's submission by the `DAGDECK_TEST_TICK_HOLD_AFTER` hook, then killed with SIGKILL.

Waits are conditions with generous deadlines, never wall-clock bounds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from dagdeck.core.automation.tick_records import HOLD_ENV
from dagdeck.store import Store
from tests.conftest import ROOT

T = TypeVar("T")

PRELUDE = """
import dagdeck as dg

@dg.asset
def a():
    return 1

a_job = dg.define_asset_job("a_job", selection="a")
"""

PAUSED_QUEUE = "max_concurrent_runs = 0\n"
"""`<home>/dagdeck.toml`: every run stays QUEUED, so 500 runs never start 500 workers."""

DEADLINE = 120.0
"""Seconds any one condition may take on a loaded machine before the test gives up."""


def wait_for(
    what: str, probe: Callable[[], T | None], log: Path | None = None, timeout: float = DEADLINE, poll: float = 0.05
) -> T:
    """Poll `probe` until it returns something truthy; AssertionError naming `what` (and showing
    the end of the daemon's `log`) otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = f"; daemon log:\n{log_tail(log)}" if log is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{tail}")
        time.sleep(poll)


def write_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagdeck.toml").write_text(PAUSED_QUEUE)


def start_daemon(defs: Path, home: Path, log: Path, *, hold_after: int | None = None) -> subprocess.Popen[bytes]:
    """`dagdeck daemon` as a real process; `hold_after` sets the submission hook (see tick_records)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DAGDECK_HOME", None)
    env.pop(HOLD_ENV, None)
    if hold_after is not None:
        env[HOLD_ENV] = str(hold_after)
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dagdeck", "-f", str(defs), "--home", str(home), "daemon", "--interval", "0.05"],
            cwd=str(ROOT),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL, as a crash or an OOM kill would, and reap it."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def stop_gently(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_hard(proc)


@contextmanager
def daemon_process(
    defs: Path, home: Path, log: Path, *, hold_after: int | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = start_daemon(defs, home, log, hold_after=hold_after)
    try:
        yield proc
    finally:
        stop_gently(proc)


def free_dead_lease(store: Store) -> None:
    """The killed daemon's lease would expire by itself within 12 s (tests/automation/test_lease.py
    covers that); end it now so the next daemon leads at once."""
    lease = store.get_lease("daemon")
    if lease is not None:
        store.release_lease("daemon", lease.owner)


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
