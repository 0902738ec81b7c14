"""`python -m core.worker RUN_ID`: execute one run in its own process and session."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import socket
import sys
import threading
import time

from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.errors import DagdeckError
from dagdeck.core.instance import Instance
from dagdeck.core.running.event_sink import EventSink
from dagdeck.core.running.execute_run import execute_run
from dagdeck.core.running.launcher import Launcher
from dagdeck.core.running.processes import kill_run_processes, signal_run_processes
from dagdeck.core.running.run_status import mark_canceled, mark_failure, mark_started
from dagdeck.core.statuses import FINISHED, RunStatus


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
    if not mark_started(store, run.run_id, os.getpid(), socket.gethostname()):
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
        Launcher(instance).drain()
    except Exception as err:  # noqa: BLE001
        print(f"dagdeck worker: could not start queued runs: {err}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
