"""Issue 12, failure 4: a full disk hangs a worker for good.

With the home on a 2 MiB tmpfs, a step that filled the disk left its worker waiting for ever in
``EventSink.flush`` (its writer thread had died printing to the full ``worker.log``): the CLI never
returned, cancel did nothing, freeing space did not help. Now the writer stops at the first write the
disk refuses, the run ends FAILURE with "disk full" (the store keeps a small reserve beside the
database for recording that), cancel still works, and once space is freed the next run succeeds.

The tmpfs tests mount a real filesystem, so they need root (CI runs as root) and skip saying so
otherwise; the others make the database refuse writes with a SQLAlchemy hook and run anywhere.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import textwrap
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from dagdeck.core.running.event_sink import EventSink, EventWriteError
from dagdeck.store import Run, Store
from dagdeck.store.errors import DiskFullError
from tests.faults.disk_helpers import dagdeck, fill, read_run, tmpfs, wait_for

DEFS = """
import os
import time
from pathlib import Path

import dagdeck as dg

HERE = Path(__file__).resolve().parent
LINES = 3000  # ~3 MB of events: more than the 2 MiB disk, whatever room the WAL already holds


@dg.asset
def hog(context) -> int:
    # fill the disk the home is on, then keep logging: those events meet the full disk
    written = 0
    try:
        with open(Path(os.environ["DAGDECK_HOME"]) / "hog.bin", "wb") as f:
            while True:
                f.write(b"x" * 65536)
                f.flush()
                written += 65536
    except OSError:
        pass
    for i in range(50):
        context.log.info(f"line {i} " + "y" * 500)
    return written


@dg.asset
def waiter(context) -> int:
    (HERE / "waiter.started").write_text("1")
    while not context.is_canceled():
        time.sleep(0.02)
    return 0


@dg.asset
def talker(context) -> int:
    # waits for the test to fill the disk, then logs
    (HERE / "talker.started").write_text("1")
    while not (HERE / "talk").exists():
        time.sleep(0.02)
    for i in range(LINES):
        context.log.info(f"line {i} " + "y" * 1000)
    return LINES


@dg.asset
def ok() -> int:
    return 1


defs = dg.Definitions(assets=[hog, waiter, talker, ok])
"""

# No heartbeat write while the test fills the disk: each test step below then decides who writes.
SETTINGS = "heartbeat_seconds = 600\nstale_heartbeat_seconds = 3600\ncancel_grace_seconds = 5\n"


def _lines(home: Path, run_id: str) -> list[str]:
    with Store.sqlite(home / "dagdeck.db") as store:
        return [e.message.split()[1] for e in store.get_events(run_id=run_id, limit=10_000)
                if e.message.startswith("line ")]


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_full_disk_fails_the_run_then_cancel_and_a_new_run_work(tmp_path: Path, executor: str) -> None:
    """Failure 4: a step fills the home's disk mid-run; the run must end FAILURE with "disk full" and
    the CLI return (it hung for ever), a run blocked beside it must still cancel, and after freeing
    space a new run must succeed."""
    defs = tmp_path / "defs.py"
    defs.write_text(textwrap.dedent(DEFS))
    with tmpfs(tmp_path / "home") as home:
        (home / "dagdeck.toml").write_text(SETTINGS)
        started = dagdeck("materialize", "--select", "waiter", "--detach", home=home, defs=defs)
        assert started.returncode == 0, started.stderr
        waiter_id = started.stdout.strip()
        wait_for((tmp_path / "waiter.started").exists, "the waiter step to start")

        done = dagdeck("materialize", "--select", "hog", "--executor", executor, "--json", home=home, defs=defs)
        assert done.returncode == 1, done.stderr
        run = read_run(home, json.loads(done.stdout)["run_id"])
        assert run.status == "FAILURE"
        assert run.failure_reason is not None and "disk full" in run.failure_reason
        lines = _lines(home, run.run_id)
        assert len(lines) == len(set(lines))  # nothing doubled
        if executor == "in_process":  # the worker's own events, held in memory, went with the failure
            assert sorted(lines, key=int) == [str(i) for i in range(50)]

        canceled = dagdeck("runs", "cancel", waiter_id, home=home)
        assert canceled.returncode == 0, canceled.stderr
        wait_for(lambda: read_run(home, waiter_id).status == "CANCELED", "the waiter run to end CANCELED")

        (home / "hog.bin").unlink()
        again = dagdeck("materialize", "--select", "ok", "--json", home=home, defs=defs)
        assert again.returncode == 0, again.stderr
        assert read_run(home, json.loads(again.stdout)["run_id"]).status == "SUCCESS"
        assert (home / "dagdeck.db-reserve").exists()  # space is back: so is the reserve


def test_disk_filled_from_outside_mid_run_fails_the_run(tmp_path: Path) -> None:
    """Failure 4: another program fills the disk while a step waits; the step's next events meet the
    full disk and the run must end FAILURE with "disk full" rather than hang; cancel then answers."""
    defs = tmp_path / "defs.py"
    defs.write_text(textwrap.dedent(DEFS))
    with tmpfs(tmp_path / "home") as home:
        (home / "dagdeck.toml").write_text(SETTINGS)
        started = dagdeck("materialize", "--select", "talker", "--detach", home=home, defs=defs)
        assert started.returncode == 0, started.stderr
        run_id = started.stdout.strip()
        wait_for((tmp_path / "talker.started").exists, "the talker step to start")
        assert fill(home / "filler.bin") > 0
        (tmp_path / "talk").write_text("1")
        run = wait_for(lambda: (r := read_run(home, run_id)).status not in ("STARTING", "STARTED") and r,
                       "the run to end on the full disk")
        assert run.status == "FAILURE" and "disk full" in (run.failure_reason or ""), run.failure_reason
        canceled = dagdeck("runs", "cancel", run_id, home=home)
        assert canceled.returncode == 0, canceled.stderr
        assert read_run(home, run_id).status == "FAILURE"
        (home / "filler.bin").unlink()
        again = dagdeck("materialize", "--select", "ok", home=home, defs=defs)
        assert again.returncode == 0, again.stderr


# -- the same policy without a mount: the database refuses writes as a full disk does ----------------


class DiskFull:
    """Make the next ``times`` COMMITs fail as SQLite does on a full disk."""

    def __init__(self, store: Store, times: int) -> None:
        self.left = times
        self._engine = store._engine
        event.listen(self._engine, "commit", self._on_commit)

    def remove(self) -> None:
        event.remove(self._engine, "commit", self._on_commit)

    def _on_commit(self, _conn: Any) -> None:
        if self.left > 0:
            self.left -= 1
            raise OperationalError("COMMIT", None, sqlite3.OperationalError("database or disk is full"))


def test_event_appends_leave_the_reserve_to_the_writes_that_end_runs(tmp_path: Path) -> None:
    """Failure 4: recording a run's end on a full disk needs room; event appends must fail at once
    ("disk full") and keep the reserve, which a run transition then spends once."""
    with Store.sqlite(tmp_path / "dagdeck.db") as store:
        reserve = tmp_path / "dagdeck.db-reserve"
        assert reserve.exists()
        store.add_run(Run(run_id="r1", job_name="job", status="STARTED", created_at=1.0))
        full = DiskFull(store, times=1)
        with pytest.raises(DiskFullError, match="disk full"):
            store.append_events([{"event_type": "LOG", "run_id": "r1"}])
        assert reserve.exists() and store.count_events("r1") == 0
        full.left = 1
        assert store.transition_run("r1", ["STARTED"], "FAILURE", {"failure_reason": "disk full"})
        assert not reserve.exists()
        full.left = 1
        with pytest.raises(DiskFullError, match="disk full"):  # the reserve is spent: no second go
            store.update_run("r1", heartbeat_at=2.0)
        full.remove()
    with Store.sqlite(tmp_path / "dagdeck.db"):
        assert reserve.exists()  # opened with room to spare: set aside again


def test_writer_that_cannot_write_stops_holds_events_and_never_hangs(tmp_path: Path) -> None:
    """Failure 4: the writer died printing to a full log and ``flush`` waited for ever. Now it stops
    at the refused write, keeps every event in order, calls the handler once, and logging to a full
    file (/dev/full) cannot kill it."""
    full_log = logging.StreamHandler(open("/dev/full", "w"))  # noqa: SIM115 - closed below
    logger = logging.getLogger("dagdeck.events")
    logger.addHandler(full_log)
    calls: list[EventWriteError] = []
    try:
        with Store.sqlite(tmp_path / "dagdeck.db") as store:
            DiskFull(store, times=1_000)
            sink = EventSink(store)
            for i in range(20):
                sink.emit({"event_type": "LOG", "run_id": "r1", "message": str(i)})
            with pytest.raises(EventWriteError, match="disk full"):
                sink.flush()  # no handler yet: the caller hears of it
            sink.set_failure_handler(calls.append)
            sink.emit({"event_type": "LOG", "run_id": "r1", "message": "20"})
            sink.close()  # handled now: no error, no wait
            assert [c.disk_full for c in calls] == [True]
            assert [e["message"] for e in sink.take_held()] == [str(i) for i in range(21)]
    finally:
        logger.removeHandler(full_log)
        with suppress(OSError):  # what it still buffers cannot be written either
            full_log.stream.close()


def test_flush_never_waits_without_a_bound(tmp_path: Path) -> None:
    """Failure 4: every wait has a timeout; a writer stuck inside the database makes flush raise."""
    release = threading.Event()
    with Store.sqlite(tmp_path / "dagdeck.db") as store:

        def stuck(_conn: Any) -> None:
            release.wait(60)

        event.listen(store._engine, "commit", stuck)
        sink = EventSink(store, write_timeout=0.5)
        sink.emit({"event_type": "LOG", "run_id": "r1"})
        with pytest.raises(TimeoutError, match="not written"):
            sink.flush()
        release.set()
        sink.close()
        event.remove(store._engine, "commit", stuck)
        assert store.count_events("r1") == 1
