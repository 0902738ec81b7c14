"""Finding and stopping every process of a run, user-spawned children included, without cgroups.

A worker is a session leader and a child subreaper: what its steps start stays in its session
(found by session id) or, when a step calls `setsid`, stays its descendant (orphans are reparented
to it, not to init). The worker records those that left its session with their start times, so a
process that finds the worker dead can stop them too. A pid is always judged with its start time:
a recycled pid has another.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
from collections.abc import Iterable

import psutil

HOST = socket.gethostname()
"""This machine's name, recorded with each worker pid: a pid means something only on its host."""

_SAME_START = 0.5
"""Seconds two readings of one process's start time may differ (they are jiffies since boot)."""
_PR_SET_CHILD_SUBREAPER = 36


def started_at(pid: int | None) -> float | None:
    """When `pid` started (epoch seconds), or None if it is gone or a zombie."""
    if not pid:
        return None
    try:
        p = psutil.Process(pid)
        if p.status() == psutil.STATUS_ZOMBIE:
            return None
        return p.create_time()
    except psutil.Error:
        return None


def is_alive(pid: int | None, started: float | None) -> bool:
    """True if `pid` runs and is the process that started at `started`."""
    now = started_at(pid)
    return now is not None and started is not None and abs(now - started) < _SAME_START


def my_start() -> float:
    """This process's start time (what a claim records next to the claimer's pid)."""
    return started_at(os.getpid()) or 0.0


def pid_alive_since(pid: int | None, not_before: float) -> bool:
    """For runs recorded without a start time: `pid` is alive and no older than `not_before`."""
    now = started_at(pid)
    return now is not None and now >= not_before - 2.0


def become_subreaper() -> bool:
    """Make this process the child subreaper of its descendants (Linux): a grandchild whose parent
    exits (a daemonizing `setsid -f`, say) is reparented here instead of to init, so it stays
    findable. False where unsupported; session tracking and records still apply."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


def run_processes(exclude: Iterable[int] = ()) -> list[psutil.Process]:
    """The worker's side: its descendants (leaving out the subtrees rooted at `exclude`, e.g. a
    worker server it started, where the workers of later runs live) plus anything else still in its
    session. One pass over the process table."""
    me = os.getpid()
    own_session = _session(0) == me
    skip = set(exclude)
    procs: dict[int, psutil.Process] = {}
    children: dict[int, list[int]] = {}
    in_session: list[int] = []
    for p in psutil.process_iter(["ppid"]):
        procs[p.pid] = p
        children.setdefault(p.info["ppid"], []).append(p.pid)
        if own_session and p.pid != me and _session(p.pid) == me:
            in_session.append(p.pid)
    found: set[int] = set()
    pending = list(children.get(me, []))
    while pending:
        pid = pending.pop()
        if pid not in skip and pid not in found:
            found.add(pid)
            pending.extend(children.get(pid, []))
    found.update(pid for pid in in_session if pid not in skip)
    return [procs[pid] for pid in found]


def escaped(procs: Iterable[psutil.Process]) -> list[list[float]]:
    """`[pid, start time]` of the processes among `procs` that left this process's session."""
    sid = _session(0)
    out = []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            if _session(p.pid) not in (sid, None):
                out.append([p.pid, p.create_time()])
    return sorted(out)


def signal_run_processes(sig: int, exclude: Iterable[int] = ()) -> int:
    count = 0
    for p in run_processes(exclude):
        with contextlib.suppress(psutil.Error):
            p.send_signal(sig)
            count += 1
    return count


def kill_run_processes(exclude: Iterable[int] = ()) -> int:
    return signal_run_processes(signal.SIGKILL, exclude)


def stop_run_processes(grace: float, exclude: Iterable[int] = ()) -> int:
    """SIGTERM every process of the run, SIGKILL those still there after `grace` seconds."""
    procs = run_processes(exclude)
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    return len(procs)


def kill_remains(
    pid: int | None, pid_started: float | None, recorded: Iterable[list[float]] | None, not_before: float
) -> int:
    """The reader's side, for a worker found dead or hung: SIGKILL the worker (if it still is that
    process), what is left of its session, and the recorded processes that left it (each only if
    its start time matches). A session id cannot be reused while a member lives; if its leader's
    pid now belongs to another process, the session is someone else's and is left alone."""
    count = 0
    if pid:
        leader = started_at(pid)
        reused = leader is not None and (
            abs(leader - pid_started) >= _SAME_START if pid_started is not None else leader < not_before - 2.0
        )
        if not reused:
            for p in psutil.process_iter():
                with contextlib.suppress(psutil.Error):
                    if p.pid == os.getpid() or _session(p.pid) != pid or p.create_time() < not_before - 2.0:
                        continue
                    p.kill()
                    count += 1
    for entry in recorded or ():
        rpid, rstart = int(entry[0]), float(entry[1])
        if rpid != os.getpid() and is_alive(rpid, rstart):
            with contextlib.suppress(psutil.Error):
                psutil.Process(rpid).kill()
                count += 1
    return count
