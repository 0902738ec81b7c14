"""Helpers for the issue-12 security fault tests (part B): the real `dagdeck` CLI under a chosen
umask, file modes of a whole home, a throwaway second OS user, and a read-only directory.

Everything here acts on real processes and real files: the CLI is a subprocess, the second user is
a real account made with `useradd` (removed again afterwards), the read-only directory is a real
read-only mount when running as root (root ignores permission bits, so `chmod 555` would prove
nothing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dagdeck(
    *args: str,
    home: Path,
    file: Path | None = None,
    umask: int | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (`python -m dagdeck`) in a child process, optionally under `umask`."""
    cmd = [sys.executable, "-m", "dagdeck"]
    if file is not None:
        cmd += ["-f", str(file)]
    cmd += ["--home", str(home), *args]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("DAGDECK_HOME", None)
    env.pop("DAGDECK_STORE_URL", None)
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(file.parent if file else ROOT),
        env=env,
        umask=-1 if umask is None else umask,
    )


def mode(path: Path) -> int:
    """The permission bits (no setgid/sticky: a setgid parent hands its bit to new directories)."""
    return stat.S_IMODE(path.lstat().st_mode) & 0o777


def modes_under(root: Path) -> dict[str, int]:
    """Every directory and file below `root` (and root itself), relative name -> permission bits."""
    out = {".": mode(root)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            out[str(path.relative_to(root)) + ("/" if path.is_dir() else "")] = mode(path)
    return out


def too_open(root: Path) -> dict[str, str]:
    """Paths under `root` whose mode is not 0700 (directories) or 0600 (files), as octal strings."""
    bad: dict[str, str] = {}
    for name, bits in modes_under(root).items():
        want = 0o700 if name == "." or name.endswith("/") else 0o600
        if bits != want:
            bad[name] = f"{bits:04o} (want {want:04o})"
    return bad


@dataclass(frozen=True)
class OtherUser:
    """A throwaway OS account in its own throwaway group."""

    name: str
    group: str

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run `argv` as this user (and its group only), never as root."""
        cmd = ["setpriv", f"--reuid={self.name}", f"--regid={self.group}", "--init-groups", "--", *argv]
        return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60, cwd="/")


def second_user_or_skip() -> None:
    """Skip, saying exactly why, where a second OS user cannot be made here."""
    if os.geteuid() != 0:
        pytest.skip(f"needs root to create a throwaway second OS user (useradd); running as uid {os.geteuid()}")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "setpriv"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool} to create and use a throwaway second OS user; not installed here")


@contextlib.contextmanager
def other_user() -> Iterator[OtherUser]:
    """Create a user and a group shared with nobody else; remove both afterwards."""
    second_user_or_skip()
    tag = uuid.uuid4().hex[:8]
    user = OtherUser(name=f"dgt{tag}", group=f"dgtg{tag}")
    subprocess.run(["groupadd", user.group], check=True, capture_output=True)
    try:
        subprocess.run(
            ["useradd", "-M", "-N", "-g", user.group, "-s", "/bin/sh", user.name], check=True, capture_output=True
        )
        try:
            yield user
        finally:
            subprocess.run(["userdel", user.name], capture_output=True)
    finally:
        subprocess.run(["groupdel", user.group], capture_output=True)


@contextlib.contextmanager
def shared_parent(group: str) -> Iterator[Path]:
    """A directory in the system temp dir that every user can enter, owned by `group` with the setgid
    bit so that what is created below it belongs to that group: the "shared group" set-up of failure 6.
    (pytest's own temp dirs are private to root, which would hide any leak.)"""
    tmp = Path(tempfile.gettempdir())
    if not stat.S_IMODE(tmp.stat().st_mode) & 0o001:
        pytest.skip(f"the temp dir {tmp} is not enterable by other users, so no shared directory can be made")
    parent = Path(tempfile.mkdtemp(prefix="dagdeck-shared-"))
    try:
        shutil.chown(parent, group=group)
        os.chmod(parent, 0o2775)
        yield parent
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@contextlib.contextmanager
def read_only_dir(base: Path) -> Iterator[Path]:
    """A directory nobody (root included) can create anything in."""
    path = base / "read-only"
    path.mkdir()
    if os.geteuid() != 0:
        os.chmod(path, 0o555)
        try:
            yield path
        finally:
            os.chmod(path, 0o755)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(
            "running as root, which ignores directory permission bits, and cannot mount a read-only tmpfs "
            f"here ({done.stderr.strip() or 'mount failed'})"
        )
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], capture_output=True)


# -- definitions and scripts the permission tests run ------------------------------------------------

DEFS = '''
import sys

import dagdeck as dg


@dg.asset(key_prefix=["crm"])
def customers():
    print("SECRET-TOKEN-stdout")
    print("SECRET-TOKEN-stderr", file=sys.stderr)
    return [{"email": "alice@example.com"}]


@dg.asset(key_prefix=["crm"])
def mailing(customers):
    print("mailing", len(customers))
    return len(customers)


@dg.op
def make():
    print("op says hi")
    return 7


@dg.op
def use(x):
    return x + 1


@dg.job
def opjob():
    use(make())


defs = dg.Definitions(assets=[customers, mailing], jobs=[opjob])
'''


RECREATE = r"""
import os, sys
from pathlib import Path
from dagdeck.store import Store, fork_guard

db = Path(sys.argv[1])
store = Store.sqlite(db)
store.list_runs()
print("ready", flush=True)
sys.stdin.readline()            # the test deletes the database files now
with fork_guard():              # what every worker launch does: pooled connections are dropped
    pass
try:
    store.list_runs()           # reconnects, and SQLite creates the file anew
except Exception as err:        # the new file has no tables: expected
    print("after:", type(err).__name__, flush=True)
print("done", flush=True)
"""


DASK_DEFS = '''
import os
import time
from pathlib import Path

from distributed import get_worker

import dagdeck as dg

HERE = Path(__file__).resolve().parent


@dg.asset
def held():
    tmp = HERE / "scheduler.addr.tmp"
    tmp.write_text(get_worker().scheduler.address)
    os.replace(tmp, HERE / "scheduler.addr")
    deadline = time.monotonic() + 300
    while not (HERE / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return 1


defs = dg.Definitions(assets=[held])
'''


INTRUDER = r"""
import os, sys
from distributed import Client
from distributed.security import Security

address = sys.argv[1]
host_port = address.split("://", 1)[1]
attempts = {"plain tcp": ("tcp://" + host_port, None), "tls, own certificate": ("tls://" + host_port, Security.temporary())}
for name, (target, security) in attempts.items():
    try:
        client = Client(target, security=security, timeout=10, set_as_default=False)
    except BaseException as err:
        print(f"{name}: refused ({type(err).__name__})", flush=True)
        continue
    print(f"{name}: CONNECTED, ran code in pid {client.run(os.getpid)}", flush=True)
    client.close()
"""


REMOTE_DEFS = """
import dagdeck as dg


@dg.asset
def remote_value():
    return 41


defs = dg.Definitions(assets=[remote_value], executor=dg.dask_executor.configured({config}))
"""
