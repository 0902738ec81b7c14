"""Helpers for the stuck-run and dead-worker fault tests (issue 12, failures 1, 2, 4 and 7): a
definitions file whose steps leave marker files and child processes, the real `dagdeck` CLI as a
subprocess, process inspection with psutil, and a fixture that kills whatever a test left behind.

Waits are conditions with generous deadlines, never wall-clock bounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest

from dagdeck.core.instance import Instance
from dagdeck.store import Run

T = TypeVar("T")

DEADLINE = 60.0
"""Seconds any one condition may take on a loaded machine before the test gives up."""

# Steps talk to the test through files next to the definitions file: `mark` writes one, `gate`
# blocks until the test writes one.
FAULT_DEFS = '''
import os
import subprocess
import time
from pathlib import Path

import dagdeck as dg

HERE = Path(__file__).resolve().parent


def mark(name, text):
    tmp = HERE / (name + ".tmp")
    tmp.write_text(text)
    tmp.replace(HERE / name)


def gate(name, timeout=300):
    deadline = time.time() + timeout
    while not (HERE / name).exists():
        if time.time() > deadline:
            raise TimeoutError("gate " + name + " never opened")
        time.sleep(0.02)


@dg.asset
def one():
    return 1


@dg.asset
def waiter(context):
    mark("waiter." + context.run_id, str(os.getpid()))
    gate("open")
    return 1


@dg.asset
def shell(context):
    child = subprocess.Popen(["sleep", "600"])
    mark("shell." + context.run_id, str(child.pid))
    child.wait()
    return 1


@dg.asset
def escaper(context):
    child = subprocess.Popen(["sleep", "600"], start_new_session=True)  # setsid: leaves the session
    mark("escaper." + context.run_id, str(child.pid))
    gate("open")
    return 1


@dg.asset
def leaver(context):
    stay = subprocess.Popen(["sleep", "600"])
    away = subprocess.Popen(["sleep", "600"], start_new_session=True)
    mark("leaver." + context.run_id, f"{stay.pid} {away.pid}")
    return 1


defs = dg.Definitions(assets=[one, waiter, shell, escaper, leaver])
'''


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = DEADLINE, poll: float = 0.05) -> T:
    """Poll `probe` until it returns something truthy; AssertionError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(poll)


def write_settings(home: Path, **values: Any) -> None:
    lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    (home / "dagdeck.toml").write_text("\n".join(lines) + "\n")


def cli_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **extra}
    env.pop("DAGDECK_HOME", None)
    return env


def dagdeck(home: Path, defs: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "dagdeck", "-f", str(defs), "--home", str(home), *args]


def run(home: Path, defs: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        dagdeck(home, defs, *args), capture_output=True, text=True, timeout=timeout,
        cwd=str(defs.parent), env=cli_env(),
    )


def popen(home: Path, defs: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """A `dagdeck` process the test does not wait for (`env` adds variables, e.g. a test hook)."""
    return subprocess.Popen(
        dagdeck(home, defs, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=str(defs.parent), env=cli_env(**env),
    )


def show(home: Path, defs: Path, run_id: str) -> dict[str, Any]:
    """`dagdeck runs show RUN --json`: the read that must judge the worker."""
    proc = run(home, defs, "runs", "show", run_id, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def get_run(home: Path, run_id: str) -> Run:
    inst = Instance.open(home)
    try:
        found = inst.store.get_run(run_id)
    finally:
        inst.close()
    assert found is not None, run_id
    return found


def all_runs(home: Path) -> list[Run]:
    inst = Instance.open(home)
    try:
        return inst.store.list_runs(limit=10_000)
    finally:
        inst.close()


def marker(defs: Path, name: str) -> str:
    path = defs.parent / name
    wait_for(str(path), path.exists)
    return path.read_text()


def alive(pid: int) -> bool:
    """`pid` runs and is not a zombie (a killed child waits for a reaper as one)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stopped(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_STOPPED
    except psutil.NoSuchProcess:
        return False


def parent_cmdline(pid: int) -> str:
    """The parent's command line (as its title shows it: setproctitle pads with spaces)."""
    parent = psutil.Process(pid).parent()
    return " ".join(parent.cmdline()).strip() if parent is not None else ""


class Leftovers:
    """Processes a test started or saw: killed at teardown whatever happened (a failed assertion
    must not leave a `sleep 600` or a worker behind)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.pids: list[tuple[int, float]] = []

    def add(self, pid: int) -> int:
        with contextlib.suppress(psutil.Error):
            self.pids.append((pid, psutil.Process(pid).create_time()))
        return pid

    def kill_all(self) -> None:
        marker_text = str(self.home)
        sessions: set[int] = set()
        for p in psutil.process_iter():
            with contextlib.suppress(psutil.Error, OSError):
                if p.pid != os.getpid() and any(marker_text in part for part in p.cmdline()):
                    if os.getsid(p.pid) != os.getsid(0):
                        sessions.add(os.getsid(p.pid))
                    p.kill()
        for p in psutil.process_iter():
            with contextlib.suppress(psutil.Error, OSError):
                if os.getsid(p.pid) in sessions:
                    p.kill()
        for pid, started in self.pids:
            with contextlib.suppress(psutil.Error):
                p = psutil.Process(pid)
                if abs(p.create_time() - started) < 0.5:
                    p.kill()


@pytest.fixture(name="leftovers")
def leftovers_fixture(home: Path) -> Iterator[Leftovers]:
    found = Leftovers(home)
    yield found
    found.kill_all()


@pytest.fixture(name="defs")
def defs_fixture(write_defs: Callable[..., Path]) -> Path:
    return write_defs(FAULT_DEFS)
