"""Issue 12, failure 7 (second bullet): event writes that cannot double.

The event writer used to resend a failed batch on its own, even after a COMMIT lost its connection,
which the store deliberately never replays because the batch may already be stored. Now the store
has the one retry policy: an event append whose COMMIT lost its connection looks for its own ids
under the event-log lock and writes again only if they are not there. COMMIT failures are made with
a SQLAlchemy ``commit`` hook (``CommitFaults``) that either commits for real and then fails (the
acknowledgement was lost) or fails before committing.
"""

from __future__ import annotations

import json
import logging
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dagdeck.core.running.event_sink import EventSink
from dagdeck.store import Run, Store, StoreError
from tests.faults.disk_helpers import ROOT, CommitFaults, dagdeck, read_run
from tests.store.pg import BACKENDS, fresh_database, require_pg_url


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'dagdeck.db'}") as s:
            yield s
        return
    with fresh_database(require_pg_url()) as url, Store(url) as s:
        yield s


def _events(n: int, run_id: str = "r1") -> list[dict[str, object]]:
    return [{"event_type": "LOG", "run_id": run_id, "message": f"line {i}"} for i in range(n)]


def test_commit_that_landed_but_lost_its_answer_is_not_written_again(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Failure 7b: a COMMIT that landed, then lost its connection, was resent: events stored twice."""
    store.append_events(_events(1, "before"))
    faults = CommitFaults(store, ["landed"])
    with caplog.at_level(logging.WARNING, logger="dagdeck.store"):
        ids = store.append_events(_events(3))
    assert faults.done == ["landed"]
    assert [e.message for e in store.get_events(run_id="r1")] == ["line 0", "line 1", "line 2"]
    assert [e.id for e in store.get_events(run_id="r1")] == ids
    assert any("was recorded; not writing it again" in r.getMessage() for r in caplog.records)


def test_commit_that_failed_before_landing_is_written_once(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Failure 7b: the other side of an uncertain COMMIT: a batch that did not land is not lost."""
    faults = CommitFaults(store, ["lost"])
    with caplog.at_level(logging.WARNING, logger="dagdeck.store"):
        ids = store.append_events(_events(3))
    assert faults.done == ["lost"]
    assert [(e.id, e.message) for e in store.get_events(run_id="r1")] == list(
        zip(ids, ["line 0", "line 1", "line 2"], strict=True)
    )
    assert any("before it was recorded; writing it again" in r.getMessage() for r in caplog.records)


def test_other_writes_are_never_replayed_after_an_uncertain_commit(store: Store) -> None:
    """Failure 7b: only writes that can check their own outcome are retried after a lost COMMIT."""
    store.add_run(Run(run_id="r1", job_name="job", status="QUEUED", created_at=1.0))
    CommitFaults(store, ["landed"])
    with pytest.raises(StoreError, match="connection lost during COMMIT"):
        store.update_run("r1", heartbeat_at=1.0)


def test_event_sink_through_many_uncertain_commits_stores_every_event_once(store: Store) -> None:
    """Failure 7b: the writer thread under alternating lost COMMITs: no event doubled, none lost."""
    plan = ["landed", "lost", "landed", "ok", "lost", "landed", "lost", "lost", "landed"] * 3
    faults = CommitFaults(store, plan, thread="dagdeck-event-sink")
    sink = EventSink(store)
    barrier = threading.Barrier(4)

    def emit(worker: int) -> None:
        barrier.wait()
        for i in range(50):
            sink.emit({"event_type": "LOG", "run_id": "r1", "message": f"{worker}-{i}"})

    threads = [threading.Thread(target=emit, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sink.close()
    assert "landed" in faults.done and "lost" in faults.done
    messages = [e.message for e in store.get_events(run_id="r1", limit=10_000)]
    assert sorted(messages) == sorted(f"{w}-{i}" for w in range(4) for i in range(50))
    assert sink.failure is None


UNCERTAIN_DEFS = """
import sys
import time

sys.path.insert(0, {root!r})

import dagdeck as dg
from dagdeck.store.connection import _OPEN_STORES
from tests.faults.disk_helpers import CommitFaults

# In the worker, the event writer's COMMITs lose their connection: some after landing, some before.
for _store in list(_OPEN_STORES):
    CommitFaults(_store, ["landed", "lost", "landed", "ok", "lost", "landed"] * 2, thread="dagdeck-event-sink")


@dg.asset
def chatty(context) -> int:
    for i in range(40):
        context.log.info(f"line {{i}}")
        time.sleep(0.002)
    return 40


defs = dg.Definitions(assets=[chatty])
"""


def test_worker_whose_commits_lose_their_connection_records_each_event_once(tmp_path: Path) -> None:
    """Failure 7b with a real worker process: its event COMMITs lose their connection mid-run; the run
    succeeds with every log line exactly once, and the store says (through logging) what it did."""
    defs = tmp_path / "defs.py"
    defs.write_text(textwrap.dedent(UNCERTAIN_DEFS.format(root=str(ROOT))))
    home = tmp_path / "home"
    done = dagdeck("materialize", "--select", "chatty", "--json", home=home, defs=defs)
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["run_id"]
    assert read_run(home, run_id).status == "SUCCESS"
    with Store.sqlite(home / "dagdeck.db") as store:
        lines = [e.message for e in store.get_events(run_id=run_id, limit=10_000) if e.message.startswith("line ")]
    assert sorted(lines) == sorted(f"line {i}" for i in range(40))
    log = (home / "logs" / run_id / "worker.log").read_text()
    assert "was recorded; not writing it again" in log and "before it was recorded; writing it again" in log
    assert "Traceback" not in log
