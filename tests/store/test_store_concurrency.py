"""Several stores (each its own connections, as on several machines) sharing one database.

On SQLite the database-wide write lock makes these trivially true; on PostgreSQL they hold only
because of the row locks and advisory locks the store takes, which is what they are here to check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from dagdeck.store import Run, Store

T = TypeVar("T")


@pytest.fixture
def stores(store_url: str) -> Iterator[list[Store]]:
    opened = [Store(store_url) for _ in range(4)]
    try:
        yield opened
    finally:
        for s in opened:
            s.close()


def _together(stores: list[Store], fn: Callable[[Store], T]) -> list[T]:
    """Call ``fn`` once per store, all released at the same instant."""
    barrier = threading.Barrier(len(stores))
    results: list[T] = []
    lock = threading.Lock()

    def body(s: Store) -> None:
        barrier.wait()
        value = fn(s)
        with lock:
            results.append(value)

    threads = [threading.Thread(target=body, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_queue_claims_never_exceed_slots_or_share_a_run(stores: list[Store]) -> None:
    for i in range(12):
        stores[0].add_run(Run(run_id=f"q{i:02d}", job_name="j", status="QUEUED", created_at=float(i)))
    for round_ in range(3):
        claimed = _together(stores, lambda s: [r.run_id for r in s.claim_queued_runs(3, ["STARTING"])])
        flat = [run_id for batch in claimed for run_id in batch]
        assert len(flat) == len(set(flat)) == 3, claimed
        assert sorted(flat) == [f"q{i:02d}" for i in range(round_ * 3, round_ * 3 + 3)]  # oldest first
        for run_id in flat:
            assert stores[0].transition_run(run_id, ["STARTING"], "SUCCESS")
    assert stores[0].count_runs(statuses=["QUEUED"]) == 3


def test_concurrent_transitions_have_one_winner_across_stores(stores: list[Store]) -> None:
    for attempt in range(5):
        run_id = f"r{attempt}"
        stores[0].add_run(Run(run_id=run_id, job_name="j", status="STARTED", created_at=1.0))
        won = _together(
            stores,
            lambda s, rid=run_id: s.transition_run(
                rid, ["STARTED"], "CANCELING", events=[{"event_type": "RUN_CANCELING", "run_id": rid}]
            ),
        )
        assert sorted(won) == [False, False, False, True]
    assert stores[0].count_events() == 5


def test_one_daemon_lease_holder_among_racers(stores: list[Store]) -> None:
    owners = iter(["a", "b", "c", "d"])
    names = {id(s): next(owners) for s in stores}
    won = _together(stores, lambda s: (names[id(s)], s.acquire_lease("daemon", names[id(s)], 100.0, 30.0)))
    winners = [name for name, ok in won if ok]
    assert len(winners) == 1
    lease = stores[0].get_lease("daemon")
    assert lease is not None and lease.owner == winners[0]
    # all race again once the holder's heartbeat is stale: again exactly one takes over
    won = _together(stores, lambda s: (names[id(s)], s.acquire_lease("daemon", names[id(s)], 200.0, 30.0)))
    assert len([name for name, ok in won if ok]) == 1


def test_tailer_sees_every_event_exactly_once_while_writers_race(stores: list[Store]) -> None:
    """Ids become visible in id order, so a cursor (``after_id``) never skips a late commit."""
    writers, tailer = stores[:3], stores[3]
    done = threading.Event()
    seen: list[int] = []

    def tail() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            rows = tailer.get_events(after_id=cursor, limit=10_000)
            seen.extend(r.id for r in rows)
            cursor = rows[-1].id if rows else cursor
            if finished and not rows:
                return

    thread = threading.Thread(target=tail)
    thread.start()
    written = _together(
        writers,
        lambda s: [i for n in range(60) for i in s.append_events([{"event_type": "LOG", "message": str(n)}] * 3)],
    )
    done.set()
    thread.join()
    assert seen == sorted(i for ids in written for i in ids)
