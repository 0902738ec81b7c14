"""Finding and stopping every process of a run, user-spawned children included."""

from __future__ import annotations

import os
import signal
import socket

import psutil

HOST = socket.gethostname()
"""This machine's name, recorded with each worker pid: a pid means something only on its host."""


def run_processes(include_self: bool = False) -> list[psutil.Process]:
    """Descendants of this process plus anything left in its process group (orphaned grandchildren
    are reparented away from us but keep the group the worker's session gave them)."""
    me = psutil.Process()
    found: dict[int, psutil.Process] = {}
    try:
        for p in me.children(recursive=True):
            found[p.pid] = p
    except psutil.Error:
        pass
    try:
        pgid = os.getpgid(0)
    except OSError:
        pgid = None
    if pgid is not None and pgid == os.getpid():
        for p in psutil.process_iter():
            try:
                if p.pid != me.pid and os.getpgid(p.pid) == pgid:
                    found.setdefault(p.pid, p)
            except (OSError, psutil.Error):
                continue
    if include_self:
        found[me.pid] = me
    return list(found.values())


def signal_run_processes(sig: int) -> int:
    count = 0
    for p in run_processes():
        try:
            p.send_signal(sig)
            count += 1
        except psutil.Error:
            pass
    return count


def kill_run_processes() -> int:
    return signal_run_processes(signal.SIGKILL)


def kill_orphaned_group(pgid: int | None, not_before: float) -> int:
    """SIGKILL what is left of a dead worker's process group (its step processes and the children
    user code spawned). Only members created no earlier than `not_before` (with the same slack as
    below), so a recycled group id never takes an unrelated process with it."""
    if not pgid:
        return 0
    count = 0
    for p in psutil.process_iter():
        try:
            if p.pid != os.getpid() and os.getpgid(p.pid) == pgid and p.create_time() >= not_before - 2.0:
                p.kill()
                count += 1
        except (OSError, psutil.Error):
            continue
    return count


def pid_alive_since(pid: int | None, not_before: float) -> bool:
    """True if `pid` is alive and was created no earlier than `not_before` (a bit of slack for clock
    granularity): a recycled pid belongs to a process started after ours died, a stale one fails."""
    if not pid:
        return False
    try:
        p = psutil.Process(pid)
        if p.status() == psutil.STATUS_ZOMBIE:
            return False
        return p.create_time() >= not_before - 2.0
    except psutil.Error:
        return False
