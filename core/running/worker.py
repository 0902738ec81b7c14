"""The worker process of a run: forked by whoever claims the run, it executes it, watches for a
cancel, keeps the heartbeat and hands its slot on when done. `python -m dagdeck.core.running.worker
RUN_ID` runs the same body in a fresh interpreter.

Starting workers lives here, not in the launcher, because a worker that ends starts the next queued
run itself: the launcher calls `start_queued`, and nothing here needs the launcher.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
import time
import traceback

import setproctitle

from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.errors import DagdeckError
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.core.running.event_sink import EventSink
from dagdeck.core.running.processes import HOST, kill_run_processes, signal_run_processes
from dagdeck.core.running.run_status import mark_canceled, mark_failure, mark_started
from dagdeck.core.statuses import ACTIVE, FINISHED, RunStatus
from dagdeck.store import Run, fork_guard


def start_queued(instance: Instance) -> dict[str, int]:
    """Claim free slots (`max_concurrent_runs`) for queued runs, oldest first, in one write
    transaction, and fork a worker for each; returns run id -> worker pid."""
    claimed = instance.store.claim_queued_runs(
        instance.settings.max_concurrent_runs,
        [str(s) for s in ACTIVE],
        to_status=RunStatus.STARTING,
        event_factory=lambda r: make_event(EventType.RUN_STARTING, r.run_id, message="starting worker"),
    )
    return {run.run_id: _spawn(instance, run) for run in claimed}


def _spawn(instance: Instance, run: Run) -> int:
    """Fork the worker from this process, which has the engine imported already: a fresh
    interpreter would spend most of a second importing before the first step could start."""
    logs = instance.run_logs_dir(run.run_id)
    logs.mkdir(parents=True, exist_ok=True)
    location = CodeLocation.from_dict(run.location or {"module": "?"})
    workdir = location.working_dir if os.path.isdir(location.working_dir) else os.getcwd()
    log_path = str(logs / "worker.log")
    home = str(instance.home)
    store_url = instance.settings.store_url
    sys.stdout.flush()
    sys.stderr.flush()
    with fork_guard():
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                _become_worker(log_path, workdir, home, store_url)
                setproctitle.setproctitle(f"dagdeck worker {run.run_id} --home {home}")
                code = main([run.run_id, "--home", home])
            except BaseException:  # noqa: BLE001 - report, then leave without running parent cleanup
                traceback.print_exc()
            finally:
                os._exit(code)
    instance.store.update_run(run.run_id, pid=pid, host=HOST, heartbeat_at=time.time())
    return pid


_RESET_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGCONT", "SIGWINCH", "SIGCHLD")


def _become_worker(log_path: str, workdir: str, home: str, store_url: str | None) -> None:
    """Detach the forked child from the launcher: own session (a hang-up never reaches it), default
    signal handling, no share in the parent's event-loop wakeup pipe, stdio to the run's log."""
    os.setsid()
    signal.set_wakeup_fd(-1)
    for name in _RESET_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    os.close(null_fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.chdir(workdir)
    os.environ["DAGDECK_HOME"] = home
    if store_url:
        os.environ["DAGDECK_STORE_URL"] = store_url
def _watch(instance: Instance, run_id: str, cancel: threading.Event, stop: threading.Event) -> None:
    """Poll for a cancel request (seen within a quarter second) and keep the heartbeat fresh."""
    last_beat = 0.0
    while not stop.wait(0.25):
        try:
            now = time.time()
            if now - last_beat >= instance.settings.heartbeat_seconds:
                instance.store.update_run(run_id, heartbeat_at=now)
                last_beat = now
            if not cancel.is_set():
                run = instance.store.get_run(run_id)
                if run is not None and run.status == RunStatus.CANCELING:
                    cancel.set()
                    signal_run_processes(signal.SIGTERM)
        except Exception as err:  # noqa: BLE001 - a store hiccup must not kill the run
            print(f"dagdeck worker: watcher error: {err}", file=sys.stderr)


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
    cancel, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(instance, run.run_id, cancel, stop), daemon=True)
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
            kill_run_processes()
        if outcome.result is not None and outcome.result.hung:
            # threads stuck in user code cannot be stopped: the run is recorded, so end the process
            _hand_off(instance)
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
    _hand_off(instance)
    return code


def _hand_off(instance: Instance) -> None:
    """This run's slot is free: start the next queued run."""
    try:
        start_queued(instance)
    except Exception as err:  # noqa: BLE001
        print(f"dagdeck worker: could not start queued runs: {err}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
