"""Capture each step's stdout/stderr to `<home>/logs/<run_id>/<step>.stdout|.stderr`, size-capped.

In the in-process executor many steps share one process, so `sys.stdout` is replaced by a router
that writes to the file of the step running on the current thread.

Step output often carries secrets, so log files are made 0600 in 0700 directories whatever the umask
(the umask itself is left alone: the user's code keeps it for its own files).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dagdeck.core.defs.io_managers import PRIVATE_FILE_MODE, make_private_dirs

_local = threading.local()
_install_lock = threading.Lock()


def step_log_path(run_logs_dir: Path, step_key: str, stream: str) -> Path:
    """One file name in the run's log directory whatever the step key (`/` and NUL cannot pass)."""
    safe = step_key.replace("/", "__").replace("\x00", "%00")
    return run_logs_dir / f"{safe}.{stream}"


def open_private_log(path: Path) -> IO[str]:
    """Open `path` for appending text, creating it 0600 (and its directories 0700) if missing."""
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    return open(fd, "a", encoding="utf-8", errors="replace", buffering=1)  # noqa: SIM115 - closed by CappedFile


class CappedFile:
    """Stops writing at `max_bytes` and leaves one line saying so."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self._path = path
        self._f: IO[str] | None = None  # opened on first write: silent steps leave no empty files
        self._left = max_bytes
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            if self._left <= 0 or not text:
                return len(text)
            if self._f is None:
                self._f = open_private_log(self._path)
            data = text[: self._left]
            self._f.write(data)
            self._left -= len(data)
            if self._left <= 0:
                self._f.write("\n[dagdeck: log truncated at size cap]\n")
            return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._f is not None:
                self._f.flush()

    def close(self) -> None:
        with self._lock:
            if self._f is not None:
                self._f.close()


class _Router(io.TextIOBase):
    def __init__(self, fallback: Any, stream: str) -> None:
        self._fallback = fallback
        self._stream = stream

    def write(self, text: str) -> int:
        target = getattr(_local, self._stream, None)
        if target is not None:
            return target.write(text)
        return self._fallback.write(text)

    def flush(self) -> None:
        target = getattr(_local, self._stream, None)
        (target or self._fallback).flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fallback.fileno()


def install_router() -> None:
    with _install_lock:
        if not isinstance(sys.stdout, _Router):
            sys.stdout = _Router(sys.stdout, "stdout")
        if not isinstance(sys.stderr, _Router):
            sys.stderr = _Router(sys.stderr, "stderr")


@contextlib.contextmanager
def capture_thread(run_logs_dir: Path, step_key: str, max_bytes: int) -> Iterator[None]:
    """Route this thread's prints to the step's log files while the step runs."""
    install_router()
    out = CappedFile(step_log_path(run_logs_dir, step_key, "stdout"), max_bytes)
    err = CappedFile(step_log_path(run_logs_dir, step_key, "stderr"), max_bytes)
    _local.stdout, _local.stderr = out, err
    try:
        yield
    finally:
        _local.stdout = _local.stderr = None
        out.close()
        err.close()
