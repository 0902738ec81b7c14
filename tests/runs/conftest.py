"""Run-process tests start workers that outlive the CLI that launched them: whatever a test leaves
behind (a failed assertion mid-cancel, say) is killed here so it cannot spin or sleep on."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest


def _leftovers(home: Path) -> list[psutil.Process]:
    """Workers of this test's instance (their command line names the home) and every process in
    their sessions (steps and the children user code spawned)."""
    marker = str(home)
    sessions: set[int] = set()
    for p in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if p.pid != os.getpid() and any(marker in part for part in p.cmdline()):
                sid = os.getsid(p.pid)
                if sid != os.getsid(0):
                    sessions.add(sid)
    found = []
    for p in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(p.pid) in sessions and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
    return found


@pytest.fixture(autouse=True)
def kill_leftover_run_processes(home: Path) -> Iterator[None]:
    yield
    for p in _leftovers(home):
        with contextlib.suppress(psutil.Error):
            p.kill()
