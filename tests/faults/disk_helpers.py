"""Helpers for the full-disk and event-write fault tests: a real tmpfs to fill, the real CLI in child
processes, waiting on conditions (never on the clock), and a COMMIT that loses its connection."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from dagdeck.store import Run, Store

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def tmpfs(path: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``; skips the test when this process may not mount one.

    Unmounted in a finally, after every process still holding a file there has been killed.
    """
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr.strip() or done.stdout.strip()).splitlines()
        pytest.skip(f"cannot mount a tmpfs at {path} (needs root or CAP_SYS_ADMIN; uid {os.getuid()}): "
                    f"{why[0] if why else 'mount exited ' + str(done.returncode)}")
    try:
        yield path
    finally:
        kill_users_of(path)
        if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def kill_users_of(path: Path) -> None:
    """SIGKILL every process with a file open under ``path`` (left-over workers), so it can unmount."""
    prefix = str(path)
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        with suppress(psutil.Error):
            if any(f.path.startswith(prefix) for f in proc.open_files()) or (proc.cwd() or "").startswith(prefix):
                os.kill(proc.pid, signal.SIGKILL)


def fill(path: Path) -> int:
    """Write ``path`` until the disk is full (ENOSPC); returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "ab", buffering=0) as f:
        while True:
            try:
                written += f.write(chunk)
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise
                break
    # the last partial chunk may have left a few blocks: take them too
    with open(path, "ab", buffering=0) as f:
        for size in (4096, 512, 1):
            while True:
                try:
                    written += f.write(b"\0" * size)
                except OSError:
                    break
    return written


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 90.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` after ``timeout``
    (generous: it bounds a hang, it is not a speed assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def dagdeck(*args: str, home: Path, defs: Path | None = None, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process; ``timeout`` is the hang detector."""
    cmd = [sys.executable, "-m", "dagdeck"]
    if defs is not None:
        cmd += ["-f", str(defs)]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("DAGDECK_HOME", None)
    env.pop("DAGDECK_STORE_URL", None)
    try:
        return subprocess.run([*cmd, "--home", str(home), *args], capture_output=True, text=True, timeout=timeout,
                              cwd=str(defs.parent if defs else ROOT), env=env, check=False)
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"`dagdeck {' '.join(args)}` did not return within {timeout:g} s: {err.stderr!r}")


def read_run(home: Path, run_id: str) -> Run:
    """The run as stored, read through a store opened and closed right here."""
    with Store.sqlite(home / "dagdeck.db") as store:
        run = store.get_run(run_id)
    assert run is not None, f"run {run_id} not in {home}"
    return run


class CommitFaults:
    """Make chosen COMMITs lose their connection, the way a network cut or a server restart does.

    ``plan`` says what each COMMIT on a thread named ``thread`` does, in order: ``"landed"`` commits
    for real and then fails as if the acknowledgement was lost; ``"lost"`` fails before committing;
    ``"ok"`` (and every COMMIT after the plan) goes through.
    """

    def __init__(self, store: Store, plan: list[str], thread: str | None = None) -> None:
        self.plan = list(plan)
        self.thread = thread
        self.done: list[str] = []
        self._lock = threading.Lock()
        self._engine = store._engine
        event.listen(self._engine, "commit", self._on_commit)

    def remove(self) -> None:
        event.remove(self._engine, "commit", self._on_commit)

    def _on_commit(self, conn: Any) -> None:
        if self.thread is not None and threading.current_thread().name != self.thread:
            return
        with self._lock:
            if not self.plan:
                return
            what = self.plan.pop(0)
            self.done.append(what)
        if what == "ok":
            return
        if what == "landed":
            conn.connection.driver_connection.commit()
        conn.invalidate()  # as a real lost connection does: closed, and what was not committed rolls back
        raise OperationalError("COMMIT", None, Exception("server closed the connection unexpectedly"),
                               connection_invalidated=True)
