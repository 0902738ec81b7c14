"""Runs: insert, lookup, filters, compare-and-set transitions and the queue claim."""

from __future__ import annotations

import threading

import pytest

from dagdeck.store import Run, Store, StoreError


def _run(run_id: str, status: str = "QUEUED", created_at: float = 1.0, **kw: object) -> Run:
    return Run(run_id=run_id, job_name=kw.pop("job_name", "etl"), status=status, created_at=created_at, **kw)


def test_add_get_find_and_update(store: Store) -> None:
    store.add_run(
        _run("abcd1234", tags={"team": "data"}, plan={"steps": ["a", "b"]}),
        events=[{"event_type": "RUN_ENQUEUED", "run_id": "abcd1234", "timestamp": 1.0}],
    )
    store.add_run(_run("abcd9999"))
    run = store.get_run("abcd1234")
    assert run is not None and run.tags == {"team": "data"} and run.plan == {"steps": ["a", "b"]}
    assert store.get_run("nope") is None
    assert store.find_run("abcd1") is not None and store.find_run("abcd1").run_id == "abcd1234"  # type: ignore[union-attr]
    assert store.find_run("abc") is None  # too short to be a prefix
    with pytest.raises(StoreError, match="ambiguous"):
        store.find_run("abcd")
    store.update_run("abcd1234", pid=42, host="h", heartbeat_at=5.0)
    updated = store.get_run("abcd1234")
    assert updated is not None and (updated.pid, updated.host, updated.heartbeat_at) == (42, "h", 5.0)
    with pytest.raises(ValueError):
        store.update_run("abcd1234", bogus=1)
    assert [e.event_type for e in store.get_events(run_id="abcd1234")] == ["RUN_ENQUEUED"]
    with pytest.raises(StoreError, match="conflicting write"):
        store.add_run(_run("abcd1234"))


def test_returned_objects_are_readable_from_other_threads(store: Store) -> None:
    store.add_run(_run("r1"))
    run = store.get_run("r1")
    seen: list[str] = []
    thread = threading.Thread(target=lambda: seen.append(run.job_name if run else ""))
    thread.start()
    thread.join()
    assert seen == ["etl"]


def test_list_runs_filters_and_pagination(store: Store) -> None:
    for i in range(12):
        store.add_run(
            _run(
                f"run{i:02d}",
                status="SUCCESS" if i % 2 else "FAILURE",
                created_at=float(i),
                job_name="nightly" if i < 6 else "hourly",
                trigger="schedule" if i % 3 == 0 else "cli",
            )
        )
    assert [r.run_id for r in store.list_runs(limit=3)] == ["run11", "run10", "run09"]
    assert [r.run_id for r in store.list_runs(limit=3, offset=3)] == ["run08", "run07", "run06"]
    assert store.count_runs() == 12
    assert {r.status for r in store.list_runs(statuses=["SUCCESS"])} == {"SUCCESS"}
    assert store.count_runs(statuses=["SUCCESS"]) == 6
    assert store.count_runs(statuses=[]) == 0
    assert store.count_runs(job="nightly") == 6
    assert store.count_runs(job="nightly", statuses=["FAILURE"]) == 3
    assert store.count_runs(text="SCHED") == 4  # trigger substring, case-insensitive
    assert [r.run_id for r in store.list_runs(text="run1")] == ["run11", "run10"]
    assert store.count_runs(text="%") == 0  # LIKE wildcards are literal
    assert [r.run_id for r in store.runs_by_status(["FAILURE"])][:2] == ["run00", "run02"]


def test_transition_run_is_compare_and_set(store: Store) -> None:
    store.add_run(_run("r1", status="STARTED"))
    assert not store.transition_run(
        "r1", ["QUEUED"], "CANCELED", events=[{"event_type": "X", "run_id": "r1"}]
    )
    assert store.count_events("r1") == 0
    assert store.transition_run(
        "r1", ["STARTED"], "SUCCESS", fields={"ended_at": 9.0}, events=[{"event_type": "RUN_SUCCESS"}]
    )
    run = store.get_run("r1")
    assert run is not None and (run.status, run.ended_at) == ("SUCCESS", 9.0)
    assert not store.transition_run("missing", ["STARTED"], "SUCCESS")


def test_racing_transitions_have_one_winner(store: Store) -> None:
    for attempt in range(10):
        run_id = f"r{attempt}"
        store.add_run(_run(run_id, status="STARTED"))
        barrier = threading.Barrier(2)
        results: list[bool] = []

        def cancel(rid: str = run_id, b: threading.Barrier = barrier, out: list[bool] = results) -> None:
            b.wait()
            out.append(
                store.transition_run(rid, ["STARTED"], "CANCELING", events=[{"event_type": "RUN_CANCELING"}])
            )

        threads = [threading.Thread(target=cancel) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [False, True]
    assert store.count_events() == 10


def test_claim_queued_runs_respects_max_active(store: Store) -> None:
    store.add_run(_run("active", status="STARTED", created_at=0.0))
    for i in range(5):
        store.add_run(_run(f"q{i}", created_at=float(10 - i)))  # q4 is the oldest
    claimed = store.claim_queued_runs(
        max_active=3,
        active_statuses=["STARTING", "STARTED"],
        event_factory=lambda run: {"event_type": "RUN_STARTING", "run_id": run.run_id},
    )
    assert [r.run_id for r in claimed] == ["q4", "q3"]
    assert all(r.status == "STARTING" for r in claimed)
    assert store.count_runs(statuses=["STARTING"]) == 2
    assert [e.run_id for e in store.get_events(event_types=["RUN_STARTING"])] == ["q4", "q3"]
    assert store.claim_queued_runs(max_active=3, active_statuses=["STARTING", "STARTED"]) == []
    store.transition_run("active", ["STARTED"], "SUCCESS")
    assert [r.run_id for r in store.claim_queued_runs(3, ["STARTING", "STARTED"], to_status="X")] == ["q2"]
