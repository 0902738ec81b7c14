"""The worker server: the process run workers are forked from.

fork() copies only the calling thread; a lock another thread held at that instant (logging, stdio,
the import lock, the loader's) stays held for good in the child, which then deadlocks. Launchers
run threads (the console's event loop and thread workers, the daemon thread, a worker's watcher),
so workers are not forked from them but from this server, which is created while its launcher has
one thread (a fork: ~1 ms, the engine already imported) or, once threads exist, by exec (it
inherits no lock). Once idle it imports what a worker needs (`ServerSpec.preload`), so a worker runs
a few milliseconds after it is asked for.

The server lives in its own session, forks each worker on request, reaps it and reports its exit
status to the connection that asked. Each worker gets a connection of its own, for the hand-off to
the next queued run; the server exits when every connection has closed. Workers outlive it.

Protocol: AF_UNIX SOCK_SEQPACKET, one JSON document per message; a request carries the worker's log
file descriptor (SCM_RIGHTS). Replies: `{"pid", "started_at"}` or `{"error"}`; unprompted,
`{"exit": pid, "code": exit code}` when a worker forked for that connection ends.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import psutil
import setproctitle

from dagdeck.store import fork_guard

SPAWN_TIMEOUT = 60.0
"""Seconds to wait for a worker's pid (a server just started by exec imports for ~0.5 s first)."""
_MAX_MESSAGE = 4 * 1024 * 1024
_IDLE_MS = 50
"""A new server preloads once no request came for this long (a launch's request comes at once)."""


class SpawnError(Exception):
    """A worker could not be started; the message is one line."""


@dataclass(frozen=True)
class ServerSpec:
    child: Callable[[dict[str, Any], int], int]
    """Runs in each forked worker with the request and the passed descriptor; returns its exit code."""
    preload: Callable[[], None]
    """Imports what every worker needs, once, in the server."""
    argv: tuple[str, ...]
    """The command that starts a server by exec; the connection's descriptor number is appended."""


@dataclass(frozen=True)
class Spawned:
    pid: int
    started_at: float | None


class Client:
    """One connection to a worker server; safe to share between threads."""

    def __init__(
        self, sock: socket.socket, server_pid: int | None, proc: subprocess.Popen[bytes] | None
    ) -> None:
        self._sock = sock
        self.server_pid = server_pid
        """Set when this process started the server (a worker's adopted connection has none)."""
        self._proc = proc
        self._lock = threading.Lock()
        self._exits: dict[int, int] = {}
        self.broken = False

    def spawn(self, request: dict[str, Any], fd: int) -> Spawned:
        data = json.dumps(request).encode()
        with self._lock:
            if self.broken:
                raise SpawnError("the worker server is gone")
            try:
                self._sock.settimeout(SPAWN_TIMEOUT)
                socket.send_fds(self._sock, [data], [fd])
                while True:
                    reply = self._receive()
                    if reply is None:
                        raise SpawnError("the worker server exited")
                    if "exit" not in reply:
                        break
            except (OSError, ValueError) as err:
                self.broken = True
                raise SpawnError(f"the worker server did not answer: {err}") from None
        if "error" in reply:
            raise SpawnError(str(reply["error"]))
        return Spawned(int(reply["pid"]), reply.get("started_at"))

    def exit_code(self, pid: int, wait: float = 0.0) -> int | None:
        """The exit code the server reported for a worker started through this connection (negative
        for a signal), waiting up to `wait` seconds for it; None while unknown."""
        deadline = time.monotonic() + wait
        with self._lock:
            while pid not in self._exits and not self.broken:
                try:
                    self._sock.settimeout(max(0.0, deadline - time.monotonic()))
                    reply = self._receive()
                except (BlockingIOError, TimeoutError):
                    break
                except (OSError, ValueError):
                    reply = None
                if reply is None:
                    self.broken = True
            return self._exits.pop(pid, None)

    def _receive(self) -> dict[str, Any] | None:
        msg = self._sock.recv(_MAX_MESSAGE)
        if not msg:
            return None
        reply: dict[str, Any] = json.loads(msg)
        if "exit" in reply:
            self._exits[int(reply["exit"])] = int(reply["code"])
        return reply

    def close(self) -> None:
        self._sock.close()
        if self._proc is not None:
            self._proc.poll()
        elif self.server_pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.server_pid, os.WNOHANG)


_state = threading.Lock()
_client: Client | None = None
_owner = 0
"""The pid `_client` belongs to: a forked child must not talk on its parent's connection."""


def _current() -> Client | None:
    global _client
    if _client is not None and (_owner != os.getpid() or _client.broken):
        if _owner == os.getpid():
            _client.close()
        _client = None
    return _client


def prestart(spec: ServerSpec) -> None:
    """Start this process's server now if it has none, so the first launch need not wait for it."""
    global _client, _owner
    with _state:
        if _current() is None:
            _client, _owner = _start(spec), os.getpid()


def spawn(spec: ServerSpec, request: dict[str, Any], fd: int) -> Spawned:
    """Have a worker forked for `request`, with `fd` passed to it; a dead server is replaced once."""
    global _client, _owner
    for attempt in (1, 2):
        with _state:
            client = _current()
            if client is None:
                client = _client = _start(spec)
                _owner = os.getpid()
        try:
            return client.spawn(request, fd)
        except SpawnError:
            if not client.broken or attempt == 2:
                raise
    raise AssertionError("unreachable")


def exit_code(pid: int, wait: float = 0.0) -> int | None:
    """See `Client.exit_code`; None when this process has no server."""
    with _state:
        client = _current()
    return client.exit_code(pid, wait) if client is not None else None


def own_server_pids() -> list[int]:
    """The server this process started, if any: a worker leaves its subtree alone when it stops
    what its run left behind (the workers of later runs live there)."""
    with _state:
        client = _current()
    return [client.server_pid] if client is not None and client.server_pid is not None else []


def adopt(sock: socket.socket) -> None:
    """In a worker: the connection its server gave it becomes this process's way to start workers."""
    global _client, _owner, _state
    _state = threading.Lock()
    _client, _owner = Client(sock, None, None), os.getpid()


def serve_fd(fd: int, spec: ServerSpec) -> NoReturn:
    """Entry point of a server started by exec."""
    _serve(socket.socket(fileno=fd), spec, forked=False)


def _start(spec: ServerSpec) -> Client:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if threading.active_count() == 1:
        sys.stdout.flush()
        sys.stderr.flush()
        with fork_guard():  # no SQLite connection may cross the fork
            pid = os.fork()
        if pid == 0:
            ours.close()
            _serve(theirs, spec, forked=True)
        theirs.close()
        return Client(ours, pid, None)
    proc = subprocess.Popen(
        [*spec.argv, str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    theirs.close()
    return Client(ours, proc.pid, proc)


def _serve(sock: socket.socket, spec: ServerSpec, forked: bool) -> NoReturn:
    global _state, _client
    _state, _client = threading.Lock(), None  # the launcher held `_state` while it forked us
    code = 0
    try:
        if forked:
            os.setsid()  # terminal signals and hang-ups never reach it
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(null)
        for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGWINCH"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        setproctitle.setproctitle("dagdeck worker server")
        _Server(sock, spec).run()
    except BaseException:  # noqa: BLE001 - never return into the launcher's code
        code = 1
    finally:
        os._exit(code)


class _Server:
    def __init__(self, sock: socket.socket, spec: ServerSpec) -> None:
        self.spec = spec
        self.conns: dict[int, socket.socket] = {}
        self.asked_by: dict[int, socket.socket] = {}
        """worker pid -> the connection that asked for it (told its exit code)."""
        self.poll = select.poll()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        with contextlib.suppress(ValueError):  # only the main thread may; else the poll's timeout reaps
            signal.set_wakeup_fd(self.wake_w)  # a worker's exit wakes the poll below
        self.poll.register(self.wake_r, select.POLLIN)
        self._add(sock)

    def _add(self, sock: socket.socket) -> None:
        sock.setblocking(True)
        self.conns[sock.fileno()] = sock
        self.poll.register(sock.fileno(), select.POLLIN)

    def run(self) -> None:
        preloaded = False
        while self.conns:
            ready = self.poll.poll(1000 if preloaded else _IDLE_MS)
            if not ready and not preloaded:
                # idle: the request this server may have been started for is served already
                self.spec.preload()
                gc.collect()
                gc.freeze()  # workers never scan what they inherit
                preloaded = True
            for fd, _ in ready:
                if fd == self.wake_r:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(self.wake_r, 512):
                            pass
                elif fd in self.conns:
                    self._handle(self.conns[fd])
            self._reap()
        self._reap()

    def _handle(self, conn: socket.socket) -> None:
        try:
            msg, fds, _, _ = socket.recv_fds(conn, _MAX_MESSAGE, 4)
        except OSError:
            msg, fds = b"", []
        try:
            if not msg:
                self.poll.unregister(conn.fileno())
                del self.conns[conn.fileno()]
                conn.close()
                return
            try:
                reply = self._fork(json.loads(msg), fds[0] if fds else -1, conn)
            except (OSError, ValueError) as err:
                reply = {"error": f"cannot fork a worker: {err}"}
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(reply).encode())
        finally:
            for fd in fds:
                os.close(fd)

    def _fork(self, request: dict[str, Any], fd: int, conn: socket.socket) -> dict[str, Any]:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            pid = os.fork()
        except OSError:
            mine.close()
            theirs.close()
            raise
        if pid == 0:
            self._become_child(mine, theirs, request, fd)
        theirs.close()
        self._add(mine)
        self.asked_by[pid] = conn
        try:
            started: float | None = psutil.Process(pid).create_time()
        except psutil.Error:
            started = None
        return {"pid": pid, "started_at": started}

    def _become_child(
        self, mine: socket.socket, theirs: socket.socket, request: dict[str, Any], fd: int
    ) -> NoReturn:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(self.wake_r)
            os.close(self.wake_w)
            mine.close()
            for other in self.conns.values():
                other.close()
            adopt(theirs)
            code = self.spec.child(request, fd)
        except BaseException:  # noqa: BLE001 - report where the worker's stderr goes, then leave
            traceback.print_exc()
        finally:
            os._exit(code)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.asked_by.pop(pid, None)
            if conn is not None and conn.fileno() in self.conns:
                note = json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode()
                with contextlib.suppress(OSError):
                    conn.send(note, socket.MSG_DONTWAIT)  # a client that never reads must not stall us
