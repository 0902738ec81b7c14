"""The worker process of a run: forked by the worker server for whoever claims the run, it
executes it, watches for a cancel, keeps the heartbeat, records the processes that leave its
session, stops what the run left behind, and hands its slot on when done. `python -m
dagdeck.core.running.worker RUN_ID` runs the same body in a fresh interpreter (and `--server FD` is
how a worker server is started by exec).

Starting workers lives here, not in the launcher, because a worker that ends starts the next queued
run itself: the launcher calls `start_queued`, and nothing here needs the launcher.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import signal
import sys
import threading
import time

import setproctitle

from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.errors import DagdeckError
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.core.running import forkserver
from dagdeck.core.running.event_sink import EventSink
from dagdeck.core.running.forkserver import ServerSpec, SpawnError
from dagdeck.core.running.processes import (
    HOST,
    become_subreaper,
    escaped,
    kill_run_processes,
    my_start,
    run_processes,
    signal_run_processes,
    stop_run_processes,
)
from dagdeck.core.running.run_status import mark_canceled, mark_failure, mark_started
from dagdeck.core.statuses import ACTIVE, FINISHED, RunStatus
from dagdeck.store import Run

PAUSE_AFTER_CLAIM = "DAGDECK_TEST_PAUSE_AFTER_CLAIM"
"""Test hook (tests/faults): when set, the claiming process stops itself (SIGSTOP) right after its
claim commits, so a test can kill it between the claim and the fork. Read once and removed."""
SCAN_SECONDS = 1.0
"""How often a worker looks for processes that left its session, to record them."""
CLAIM_BATCH = 16
"""Runs claimed per transaction: each claim's time stays close to its worker's start, however many
runs an unlimited queue releases at once."""


def start_queued(instance: Instance) -> dict[str, int]:
    """Claim free slots (`max_concurrent_runs`) for queued runs, oldest first, in one write
    transaction, and have a worker forked for each; returns run id -> worker pid. A run whose
    worker cannot be started ends FAILURE at once, and its slot goes to the next queued run."""
    started: dict[str, int] = {}
    while True:
        claimed = instance.store.claim_queued_runs(
            instance.settings.max_concurrent_runs,
            [str(s) for s in ACTIVE],
            to_status=RunStatus.STARTING,
            event_factory=lambda r: make_event(EventType.RUN_STARTING, r.run_id, message="starting worker"),
            claim_fields={
                "host": HOST,
                "claimer_pid": os.getpid(),
                "claimer_started_at": my_start(),
                "claimed_at": time.time(),
            },
            batch=CLAIM_BATCH,
        )
        if not claimed:
            return started
        if os.environ.pop(PAUSE_AFTER_CLAIM, None):
            os.kill(os.getpid(), signal.SIGSTOP)
        failed = False
        for run in claimed:
            try:
                started[run.run_id] = _spawn(instance, run)
            except SpawnError as err:
                failed = True
                mark_failure(instance.store, run.run_id, f"worker not started: {err}")
        if not failed and len(claimed) < CLAIM_BATCH:
            return started  # else a failed spawn freed a slot, or more runs may be waiting


def _spawn(instance: Instance, run: Run) -> int:
    """Ask the worker server to fork this run's worker, its log file passed along."""
    logs = instance.run_logs_dir(run.run_id)
    try:
        instance.make_run_logs_dir(run.run_id)  # 0700, whatever the umask
        log_fd = os.open(logs / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    except OSError as err:
        raise SpawnError(f"cannot create {err.filename or logs}: {err.strerror or err}") from None
    location = CodeLocation.from_dict(run.location or {"module": "?"})
    request = {
        "run_id": run.run_id,
        "home": str(instance.home),
        "store_url": instance.settings.store_url,
        "workdir": location.working_dir if os.path.isdir(location.working_dir) else os.getcwd(),
        "env": dict(os.environ),
        "path": [str(entry) for entry in sys.path],
    }
    try:
        spawned = forkserver.spawn(SERVER, request, log_fd)
    finally:
        os.close(log_fd)
    instance.store.set_worker(run.run_id, spawned.pid, spawned.started_at, time.time())
    return spawned.pid


def _forked_worker(request: dict[str, object], log_fd: int) -> int:
    """A worker's life, in the process the server just forked."""
    run_id, home = str(request["run_id"]), str(request["home"])
    _become_worker(request, log_fd)
    setproctitle.setproctitle(f"dagdeck worker {run_id} --home {home}")
    return main([run_id, "--home", home])


def _preload() -> None:
    """Imported once in the server rather than in each worker."""
    from dagdeck.core.running import execute_run  # noqa: F401


SERVER = ServerSpec(
    child=_forked_worker,
    preload=_preload,
    argv=(sys.executable, "-m", "dagdeck.core.running.worker", "--server"),
)


def prestart_server() -> None:
    """Start this process's worker server now, so the first launch need not wait for it (started
    by exec where threads run, it imports the engine for ~0.5 s of CPU). Long-lived launchers call
    it when that costs nobody: the console once its first screen is painted, the headless daemon
    at start."""
    forkserver.prestart(SERVER)


_RESET_SIGNALS = (
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGCONT",
    "SIGWINCH",
    "SIGCHLD",
)


def _become_worker(request: dict[str, object], log_fd: int) -> None:
    """Own session (a hang-up never reaches it), default signal handling, stdio to the run's log,
    and the launcher's environment, search path and working directory."""
    os.setsid()
    for name in _RESET_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    os.close(null_fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    env = request.get("env")
    if isinstance(env, dict):
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
    path = request.get("path")
    if isinstance(path, list):
        sys.path[:] = [str(p) for p in path]
    os.chdir(str(request["workdir"]))
    os.environ["DAGDECK_HOME"] = str(request["home"])
    if request.get("store_url"):
        os.environ["DAGDECK_STORE_URL"] = str(request["store_url"])


_quiet = threading.Lock()
"""Held by the watcher thread while it signals or sets the cancel flag, and taken around every fork
this worker makes (its multiprocess step processes): a step process never inherits it held."""


def _reinit_quiet() -> None:
    global _quiet
    _quiet = threading.Lock()


def _watch(
    instance: Instance, run_id: str, cancel: threading.Event, stop: threading.Event, track: bool
) -> None:
    """Poll for a cancel request (seen within a quarter second), keep the heartbeat fresh, and
    record the processes that left this worker's session, so that whoever finds the worker dead
    can stop them."""
    last_beat = last_scan = 0.0
    recorded: list[list[float]] = []
    while not stop.wait(0.25):
        try:
            now = time.time()
            if now - last_beat >= instance.settings.heartbeat_seconds:
                instance.store.update_run(run_id, heartbeat_at=now)
                last_beat = now
            if track and now - last_scan >= SCAN_SECONDS:
                last_scan = now
                seen = escaped(run_processes(forkserver.own_server_pids()))
                if seen != recorded:
                    instance.store.update_run(run_id, processes=seen)
                    recorded = seen
            if not cancel.is_set():
                run = instance.store.get_run(run_id)
                if run is not None and run.status == RunStatus.CANCELING:
                    with _quiet:
                        cancel.set()
                        signal_run_processes(signal.SIGTERM, forkserver.own_server_pids())
                elif run is not None and run.status in FINISHED:
                    # ended elsewhere (a step process that met a full disk, a reader that judged
                    # this worker dead): start no more steps
                    cancel.set()
        except Exception as err:  # noqa: BLE001 - a store hiccup must not kill the run
            _say(f"dagdeck worker: watcher error: {err}")


def _say(message: str) -> None:
    """One line on the worker's log, never raising (the log may sit on a full disk) and taking no
    stdio lock (a forked step process must not inherit one held)."""
    with contextlib.suppress(OSError):
        os.write(2, (message + "\n").encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dagdeck-worker")
    parser.add_argument("run_id")
    parser.add_argument("--home")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    instance = Instance.open(args.home)
    store = instance.store
    run = store.get_run(args.run_id)
    if run is None:
        print(f"run {args.run_id} not found", file=sys.stderr)
        return 2
    if not mark_started(store, run.run_id, os.getpid(), HOST):
        current = store.get_run(run.run_id)
        if current is not None and current.status == RunStatus.CANCELING:
            mark_canceled(store, run.run_id, message="canceled before the worker started")
        return 1
    run = store.get_run(run.run_id) or run
    keep = instance.settings.keep_orphan_processes
    track = not keep and become_subreaper()  # orphans of its steps are reparented here, not to init
    os.register_at_fork(
        before=lambda: _quiet.acquire(),
        after_in_parent=lambda: _quiet.release(),
        after_in_child=_reinit_quiet,
    )
    cancel, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(instance, run.run_id, cancel, stop, track), daemon=True)
    watcher.start()
    # SIGTERM to the worker itself (e.g. `kill`) means cancel, not sudden death
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    code = 1
    sink = EventSink(store)
    try:
        try:
            loaded = load(CodeLocation.from_dict(run.location or {}))
        except DagdeckError as err:
            mark_failure(store, run.run_id, f"cannot load definitions: {err}")
            return 1
        # definitions live as long as this process: a full collection walking them cost 60 ms at 1,000 assets
        gc.freeze()
        # imported here: processes that only start runs (console, CLI) never load the executors
        from dagdeck.core.running.execute_run import execute_run

        outcome = execute_run(instance, run, loaded.defs, cancel_event=cancel, sink=sink)
        sink.flush()
        code = 0 if outcome.status == RunStatus.SUCCESS else 1
        if cancel.is_set():
            kill_run_processes(forkserver.own_server_pids())
        if outcome.result is not None and outcome.result.hung:
            # threads stuck in user code cannot be stopped: the run is recorded, so end the process
            _end(instance, keep)
            sys.stdout.flush()
            os._exit(code)
    except BaseException as err:  # noqa: BLE001 - the run must always end recorded
        sink.flush()
        current = store.get_run(run.run_id)
        if current is not None and current.status not in FINISHED:
            if current.status == RunStatus.CANCELING:
                mark_canceled(store, run.run_id)
            else:
                mark_failure(store, run.run_id, f"worker error: {type(err).__name__}: {err}")
        code = 1
    finally:
        stop.set()
        sink.close()
        watcher.join(timeout=2.0)
    _end(instance, keep)
    return code


def _end(instance: Instance, keep: bool) -> None:
    """The run is recorded: stop what it left running (unless `keep_orphan_processes`), then hand
    this run's slot to the next queued run."""
    try:
        if not keep:
            stop_run_processes(min(instance.settings.cancel_grace_seconds, 2.0), forkserver.own_server_pids())
        start_queued(instance)
    except Exception as err:  # noqa: BLE001
        _say(f"dagdeck worker: could not start queued runs: {err}")


def cli(argv: list[str]) -> int:
    """`python -m dagdeck.core.running.worker RUN_ID [--home DIR]`, or `--server FD` (a worker server)."""
    if argv[:1] == ["--server"] and len(argv) == 2:
        forkserver.serve_fd(int(argv[1]), SERVER)
    return main(argv)


if __name__ == "__main__":
    from dagdeck.core.running.worker import cli as _cli  # the importable module, not a __main__ copy

    sys.exit(_cli(sys.argv[1:]))
