"""Helpers for the run-process tests: a definitions file whose steps leave marker files, CLI
processes started without waiting, polling, and process inspection with psutil."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psutil

from dagdeck.core.instance import Instance
from dagdeck.store import EventRow, Run

# Steps talk to the test through files next to the definitions file: `mark` writes one (the pid by
# default), `gate` blocks until the test writes one.
RUNS_DEFS = '''
import os
import subprocess
import sys
import time
from pathlib import Path

import dagdeck as dg

HERE = Path(__file__).resolve().parent


def mark(name, text=None):
    tmp = HERE / (name + ".tmp")
    tmp.write_text(str(os.getpid()) if text is None else text)
    tmp.replace(HERE / name)


def gate(name, timeout=120):
    deadline = time.time() + timeout
    while not (HERE / name).exists():
        if time.time() > deadline:
            raise TimeoutError("gate " + name + " never opened")
        time.sleep(0.02)


# -- cancel targets: each blocks in its own way; `after_*` never starts ------------------------------
@dg.asset
def sleeper():
    mark("sleeper.started")
    time.sleep(600)
    return 1


@dg.asset
def spinner():
    mark("spinner.started")
    x = 0
    while True:
        x += 1


@dg.asset
def shell():
    mark("shell.started")
    subprocess.run(["sleep", "600"])
    return 1


@dg.asset
def after_sleeper(sleeper):
    return sleeper


@dg.asset
def after_spinner(spinner):
    return spinner


@dg.asset
def after_shell(shell):
    return shell


# -- general purpose ---------------------------------------------------------------------------------
@dg.asset
def waiter(context):
    context.log.info("waiting for the gate")
    mark("waiter." + context.run_id)
    gate("open")
    return "done"


@dg.asset
def one_second():
    time.sleep(1.0)
    return 1


@dg.asset
def pid_a():
    mark("pid_a", f"{os.getpid()} {os.getppid()} {os.getsid(0)}")
    time.sleep(0.3)
    return 1


@dg.asset
def pid_b():
    mark("pid_b", f"{os.getpid()} {os.getppid()} {os.getsid(0)}")
    time.sleep(0.3)
    return 2


@dg.asset
def pid_c(pid_a, pid_b):
    mark("pid_c", f"{os.getpid()} {os.getppid()} {os.getsid(0)}")
    return pid_a + pid_b


def window(name):
    """Start, then wait until a second window step runs beside this one, so the run proves two
    step processes at once whatever the machine's speed (a third starts only after one ended)."""
    mark(name, f"{time.time()} " + str(os.getpid()))
    deadline = time.time() + 120
    while len(list(HERE.glob("window_?"))) < 2 and time.time() < deadline:
        time.sleep(0.01)
    mark(name + ".end", f"{time.time()}")
    return 1


@dg.asset
def window_1():
    return window("window_1")


@dg.asset
def window_2():
    return window("window_2")


@dg.asset
def window_3():
    return window("window_3")


# -- re-execution: `flaky` fails until the test writes `fixed` -----------------------------------------
@dg.asset
def base():
    runs = HERE / "base.count"
    runs.write_text(str(int(runs.read_text()) + 1 if runs.exists() else 1))
    return 20


@dg.asset
def flaky(base):
    if not (HERE / "fixed").exists():
        raise RuntimeError("flaky is broken")
    return base + 1


@dg.asset
def after_flaky(flaky):
    return flaky * 2


@dg.asset
def bystander():
    return "fine"


@dg.op
def op_base():
    runs = HERE / "op_base.count"
    runs.write_text(str(int(runs.read_text()) + 1 if runs.exists() else 1))
    return 5


@dg.op
def op_flaky(x):
    if not (HERE / "fixed").exists():
        raise RuntimeError("op_flaky is broken")
    return x * 3


@dg.op
def op_last(y):
    mark("op_last.result", str(y + 1))
    return y + 1


@dg.op
def op_side(x):
    return x


@dg.job
def op_chain():
    b = op_base()
    op_last(op_flaky(b))
    op_side(b)


# -- step logs ---------------------------------------------------------------------------------------
@dg.asset
def chatty():
    print("chatty says hello on stdout")
    print("chatty complains on stderr", file=sys.stderr)
    return 1


@dg.asset
def quiet():
    print("quiet whispers")
    return 1


@dg.asset
def flood():
    for i in range(2000):
        print(f"line {i:05d} " + "x" * 40)
    return 1


defs = dg.Definitions(
    assets=[
        sleeper, spinner, shell, after_sleeper, after_spinner, after_shell,
        waiter, one_second, pid_a, pid_b, pid_c, window_1, window_2, window_3,
        base, flaky, after_flaky, bystander, chatty, quiet, flood,
    ],
    jobs=[
        op_chain,
        dg.define_asset_job("flaky_job", selection="base flaky after_flaky bystander"),
        dg.define_asset_job(
            "windows_mp",
            selection="window_1 window_2 window_3",
            executor_def=dg.multiprocess_executor.configured({"max_concurrent": 2}),
        ),
    ],
)
'''


def write_settings(home: Path, **values: Any) -> None:
    lines = [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in values.items()]
    (home / "dagdeck.toml").write_text("\n".join(lines) + "\n")


def cli_env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("DAGDECK_HOME", None)
    return env


def dagdeck_cmd(home: Path, file: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "dagdeck", "-f", str(file), "--home", str(home), *args]


def popen_cli(home: Path, file: Path, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    """A `dagdeck` process the test does not wait for."""
    return subprocess.Popen(
        dagdeck_cmd(home, file, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(file.parent),
        env=cli_env(),
        **kwargs,
    )


def wait_for(check: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def wait_file(path: Path, timeout: float = 30) -> str:
    wait_for(path.exists, timeout, what=str(path))
    return path.read_text()


def get_run(home: Path, run_id: str) -> Run:
    inst = Instance.open(home)
    try:
        run = inst.store.get_run(run_id)
    finally:
        inst.close()
    assert run is not None, run_id
    return run


def run_events(home: Path, run_id: str, event_type: str | None = None) -> list[EventRow]:
    inst = Instance.open(home)
    try:
        rows = inst.store.get_events(run_id=run_id, limit=1_000_000)
    finally:
        inst.close()
    return [e for e in rows if event_type is None or e.event_type == event_type]


def wait_status(home: Path, run_id: str, statuses: Iterable[str], timeout: float) -> Run:
    wanted = set(statuses)
    inst = Instance.open(home)
    try:
        return wait_for(
            lambda: (r := inst.store.get_run(run_id)) is not None and r.status in wanted and r,
            timeout,
            what=f"run {run_id[:8]} to reach {sorted(wanted)}",
        )
    finally:
        inst.close()


def run_tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants, as psutil handles (safe against pid reuse)."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def is_alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def session_members(sid: int) -> list[psutil.Process]:
    """Live processes still in the session a worker started (its user code's children included)."""
    found = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == sid and is_alive(p):
                found.append(p)
        except (OSError, psutil.Error):
            continue
    return found
