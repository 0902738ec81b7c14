"""Issue 12, failure 6 (another local user can run code as root) and failure 8 (`--home` that is a
file, a new home under a read-only directory).

The CLI runs in a child process under the umask given (never changed in the test process itself);
then every directory of the home must be 0700 and every file 0600: values, step stdout/stderr, the
worker log, the database and its -wal/-shm. Where the test runs as root and `useradd` exists, a real
second OS user in a shared group tries to read a stored value and a step log and to replace a pickle.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.faults.security_helpers import (
    DASK_DEFS,
    DEFS,
    INTRUDER,
    RECREATE,
    REMOTE_DEFS,
    dagdeck,
    mode,
    other_user,
    read_only_dir,
    shared_parent,
    too_open,
)


def _defs(tmp_path: Path) -> Path:
    path = tmp_path / "perm_defs.py"
    path.write_text(DEFS)
    return path


def _run_everything(home: Path, defs: Path, umask: int) -> None:
    """Asset runs on the in-process and multiprocess executors and an op job, all under `umask`."""
    for args in (
        ("materialize", "--select", "*"),
        ("materialize", "--select", "*", "--executor", "multiprocess"),
        ("job", "run", "opjob"),
    ):
        done = dagdeck(*args, home=home, file=defs, umask=umask)
        assert done.returncode == 0, (args, done.stdout, done.stderr)


@pytest.mark.parametrize("umask", [0o000, 0o002], ids=["umask000", "umask002"])
def test_home_is_private_whatever_the_umask(umask: int, tmp_path: Path) -> None:
    """Failure 6: values and step stdout/stderr followed the umask (0644 files, 0755 dirs; 0666/0777
    under umask 000, group-writable under 002). Now the home, storage/, logs/ and every directory
    below are 0700 and every file (values, step logs, worker.log, dagdeck.db, -wal, -shm) is 0600."""
    home = tmp_path / "new-home"
    _run_everything(home, _defs(tmp_path), umask)
    assert (home / "storage" / "crm" / "customers").is_file()
    step_logs = list((home / "logs").glob("*/crm__customers.stdout"))
    assert len(step_logs) == 2 and "SECRET-TOKEN-stdout" in step_logs[0].read_text()
    assert too_open(home) == {}


def test_run_log_directories_are_private(tmp_path: Path) -> None:
    """Failure 6: each run's log directory (worker.log, step stdout/stderr) is 0700 under umask 000."""
    home = tmp_path / "new-home"
    done = dagdeck("materialize", "--select", "*", home=home, file=_defs(tmp_path), umask=0o000)
    assert done.returncode == 0, done.stderr
    assert too_open(home) == {}


def test_database_files_of_a_running_daemon_are_private(tmp_path: Path) -> None:
    """Failure 6: the SQLite database and its -wal/-shm (which exist only while a process holds the
    database open) are 0600 under a running `dagdeck daemon` started with umask 000."""
    home = tmp_path / "daemon-home"
    cmd = [sys.executable, "-m", "dagdeck", "-f", str(_defs(tmp_path)), "--home", str(home), "daemon"]
    env = {k: v for k, v in os.environ.items() if k not in ("DAGDECK_HOME", "DAGDECK_STORE_URL")}
    daemon = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, umask=0o000)
    files = [home / "dagdeck.db", home / "dagdeck.db-wal", home / "dagdeck.db-shm"]
    try:
        deadline = time.monotonic() + 60
        while not all(f.exists() for f in files) and daemon.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(f.exists() for f in files), (daemon.poll(), [f.name for f in files if f.exists()])
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert too_open(home) == {}
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


def test_user_code_keeps_the_users_umask(tmp_path: Path) -> None:
    """Failure 6, the other side: dagdeck must not change the process umask, so files a step makes
    for itself follow the user's umask as before (here 002: a 0664 file)."""
    out = tmp_path / "own-output.txt"
    defs = tmp_path / "umask_defs.py"
    defs.write_text(
        textwrap.dedent(
            f"""
            import dagdeck as dg

            @dg.asset
            def writes_own_file():
                open({str(out)!r}, "w").write("mine")
                return 1

            defs = dg.Definitions(assets=[writes_own_file])
            """
        )
    )
    done = dagdeck("materialize", "--select", "*", home=tmp_path / "h", file=defs, umask=0o002)
    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o664


def test_existing_open_home_is_narrowed(tmp_path: Path) -> None:
    """Failure 6: a home made by an older dagdeck (0755 storage/ and logs/, 0644 database) is narrowed
    the next time any command opens it; the home directory itself is left as the user made it."""
    home = tmp_path / "old-home"
    defs = _defs(tmp_path)
    _run_everything(home, defs, 0o022)
    for path in (home / "storage", home / "logs"):
        os.chmod(path, 0o755)
    for name in ("dagdeck.db", "dagdeck.db-wal", "dagdeck.db-shm"):
        if (home / name).exists():
            os.chmod(home / name, 0o644)
    os.chmod(home, 0o755)
    done = dagdeck("runs", "list", home=home)
    assert done.returncode == 0, done.stderr
    assert mode(home / "storage") == mode(home / "logs") == 0o700
    assert mode(home / "dagdeck.db") == 0o600
    assert mode(home) == 0o755


def test_database_recreated_under_a_running_process_is_private(tmp_path: Path) -> None:
    """Failure 6: a database deleted and recreated under a running daemon came back with the umask's
    mode. A real long-running process (umask 000) holds a store; the test deletes dagdeck.db and its
    -wal/-shm; the process drops its pooled connections as a worker launch does and reconnects: the new
    database and its -wal/-shm are 0600."""
    db = tmp_path / "h" / "dagdeck.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", RECREATE, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=0o000,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "ready"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "done" in out, (out, err)
    assert db.exists()
    found = {suffix: mode(Path(f"{db}{suffix}")) for suffix in ("", "-wal", "-shm") if Path(f"{db}{suffix}").exists()}
    assert found == {suffix: 0o600 for suffix in found}, {k: oct(v) for k, v in found.items()}


def test_second_user_cannot_read_values_or_logs_nor_replace_a_pickle(tmp_path: Path) -> None:
    """Failure 6: with umask 002 and a shared group, another user read a customer email from a stored
    value and a secret from step logs, and a group member replaced a pickle that the next run then
    executed as root. A throwaway OS user in the home's group now can do none of that. Skipped, saying
    why, where the test does not run as root or useradd is missing."""
    with other_user() as user, shared_parent(user.group) as parent:
        home = parent / "home"
        _run_everything(home, _defs(tmp_path), 0o002)
        value = home / "storage" / "crm" / "customers"
        log = next((home / "logs").glob("*/crm__customers.stdout"))
        before = hashlib.sha256(value.read_bytes()).hexdigest()
        assert user.run("test", "-x", str(parent)).returncode == 0, "the other user must reach the parent"
        for path in (value, log, home / "dagdeck.db"):
            read = user.run("cat", str(path))
            assert read.returncode != 0 and "alice@example.com" not in read.stdout, (path, read.stdout)
            assert "SECRET-TOKEN" not in read.stdout
        listing = user.run("ls", str(home / "storage"))
        assert listing.returncode != 0, listing.stdout
        for attack in (
            ["sh", "-c", f"printf pwned > {value}"],
            ["cp", "/dev/null", str(value)],
            ["sh", "-c", f"printf pwned > {value}.new && mv {value}.new {value}"],
            ["rm", "-f", str(value)],
        ):
            assert user.run(*attack).returncode != 0, attack
        assert hashlib.sha256(value.read_bytes()).hexdigest() == before
        rerun = dagdeck("materialize", "--select", "crm/mailing", home=home, file=_defs(tmp_path), umask=0o002)
        assert rerun.returncode == 0, rerun.stderr


@pytest.mark.parametrize("where", ["/etc/passwd", "own-file"])
def test_home_that_is_a_file_is_a_usage_error(where: str, tmp_path: Path) -> None:
    """Failure 8: `--home /etc/passwd` printed a FileExistsError traceback; now one line naming the
    path and the fix, exit 2 (and a file of ours given as the home is left as it was)."""
    home = Path(where) if where.startswith("/") else tmp_path / where
    if not home.exists():
        home.write_text("not a home\n")
    before = home.stat().st_mode
    done = dagdeck("runs", "list", home=home)
    assert done.returncode == 2, (done.stdout, done.stderr)
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, done.stderr
    assert str(home) in line and "not a directory" in line and "--home" in line, line
    assert home.stat().st_mode == before
    if where == "own-file":
        assert home.read_text() == "not a home\n"


def test_home_under_a_read_only_directory_is_a_usage_error(tmp_path: Path) -> None:
    """Failure 8: a new home under a read-only directory printed an OSError traceback; now one line
    naming the path and the fix, exit 2. As root the directory is a read-only mount (root ignores
    permission bits); skipped, saying why, where it cannot be mounted."""
    with read_only_dir(tmp_path) as locked:
        home = locked / "sub" / "home"
        done = dagdeck("runs", "list", home=home)
    assert done.returncode == 2, (done.stdout, done.stderr)
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, done.stderr
    assert str(home) in line and ("read-only" in line or "not writable" in line) and "--home" in line, line


def test_dask_cluster_of_a_run_refuses_other_clients(tmp_path: Path) -> None:
    """Failure 6: the LocalCluster a run starts listened on 127.0.0.1 without authentication, and
    another local user's client ran code on its workers. Now it speaks TLS with a throwaway CA: a
    separate process connecting with plain TCP, or with TLS and a certificate of its own, is refused,
    while the run itself finishes."""
    pytest.importorskip("distributed", reason="the dask extra (dask[distributed]) is not installed")
    pytest.importorskip("cryptography", reason="Security.temporary() needs cryptography, not installed")
    defs = tmp_path / "dask_defs.py"
    defs.write_text(DASK_DEFS)
    cmd = [sys.executable, "-m", "dagdeck", "-f", str(defs), "--home", str(tmp_path / "h")]
    env = {k: v for k, v in os.environ.items() if k not in ("DAGDECK_HOME", "DAGDECK_STORE_URL")}
    run = subprocess.Popen(
        [*cmd, "materialize", "--select", "*", "--executor", "dask"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(tmp_path),
    )
    addr_file = tmp_path / "scheduler.addr"
    try:
        deadline = time.monotonic() + 180
        while not addr_file.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert addr_file.exists(), run.communicate(timeout=60) if run.poll() is not None else "no address"
        address = addr_file.read_text()
        intruder = subprocess.run(
            [sys.executable, "-c", INTRUDER, address], capture_output=True, text=True, timeout=180, env=env
        )
        assert "CONNECTED" not in intruder.stdout, intruder.stdout
        assert intruder.stdout.count("refused") == 2, (intruder.stdout, intruder.stderr)
        assert address.startswith("tls://127.0.0.1:"), address
    finally:
        (tmp_path / "release").write_text("go")
        try:
            out, err = run.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            run.kill()
            out, err = run.communicate()
    assert run.returncode == 0, (out, err)


def test_remote_tls_scheduler_with_certificates_from_config(tmp_path: Path) -> None:
    """Failure 6, the remote side: a scheduler at `tls://` is reached with the certificates named in the
    dask executor config (tls_ca_file, tls_cert, tls_key); without them the run fails with one line
    that names the missing keys, instead of a TypeError traceback."""
    pytest.importorskip("distributed", reason="the dask extra (dask[distributed]) is not installed")
    pytest.importorskip("cryptography", reason="Security.temporary() needs cryptography, not installed")
    import logging

    from distributed import LocalCluster
    from distributed.security import Security

    security = Security.temporary()
    pems = {"tls_ca_file": security.tls_ca_file, "tls_cert": security.tls_client_cert, "tls_key": security.tls_client_key}
    files: dict[str, str] = {}
    for key, pem in pems.items():
        path = tmp_path / f"{key}.pem"
        path.write_text(str(pem))
        files[key] = str(path)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        protocol="tls://",
        security=security,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://")
        outcomes = {}
        for name, config in (("with", {"scheduler_address": address, **files}), ("without", {"scheduler_address": address})):
            defs = tmp_path / f"remote_{name}.py"
            defs.write_text(REMOTE_DEFS.format(config=repr(config)))
            outcomes[name] = dagdeck("materialize", "--select", "*", home=tmp_path / "h", file=defs)
    assert outcomes["with"].returncode == 0, (outcomes["with"].stdout, outcomes["with"].stderr)
    without = outcomes["without"]
    assert without.returncode == 1, (without.stdout, without.stderr)
    assert "Traceback" not in without.stdout + without.stderr
    assert "tls_ca_file" in without.stdout + without.stderr, (without.stdout, without.stderr)
