"""The event log: ids, filters, asset state kept in the same transaction, and concurrent writers."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import Engine, event

from dagdeck.store import Store


def _mat(asset: str, run_id: str = "r1", ts: float = 1.0, **metadata: object) -> dict[str, object]:
    return {
        "event_type": "ASSET_MATERIALIZATION",
        "run_id": run_id,
        "asset_key": asset,
        "step_key": asset,
        "timestamp": ts,
        "data": {"metadata": metadata},
    }


def test_append_returns_increasing_ids_and_defaults(store: Store) -> None:
    assert store.last_event_id() == 0
    first = store.append_events([{"event_type": "LOG", "message": "hi"}, {"event_type": "LOG"}])
    second = store.append_events([{"event_type": "LOG", "run_id": "r1", "level": "INFO"}])
    single = store.append_events([{"event_type": "LOG"}])
    assert first + second + single == [1, 2, 3, 4]
    assert store.append_events([]) == []
    assert store.last_event_id() == 4
    events = store.get_events()
    assert [e.id for e in events] == [1, 2, 3, 4]
    assert events[0].message == "hi" and events[1].message == "" and events[1].data == {}
    assert events[0].timestamp > 0
    with pytest.raises(ValueError):
        store.append_events([{"event_type": "LOG"}, {"message": "no type"}])
    assert store.count_events() == 4


def test_get_events_filters_and_paging(store: Store) -> None:
    store.append_events(
        [
            {"event_type": "STEP_START", "run_id": "r1", "step_key": "a", "asset_key": "a"},
            _mat("a", n=1),
            {"event_type": "LOG", "run_id": "r2", "step_key": "b"},
            _mat("b", run_id="r2"),
            _mat("a", run_id="r2", n=2),
        ]
    )
    assert [e.id for e in store.get_events(run_id="r2")] == [3, 4, 5]
    assert [e.id for e in store.get_events(after_id=3)] == [4, 5]
    assert [e.id for e in store.get_events(after_id=1, limit=2)] == [2, 3]
    assert [e.id for e in store.get_events(event_types=["ASSET_MATERIALIZATION"])] == [2, 4, 5]
    assert [e.id for e in store.get_events(asset_key="a")] == [1, 2, 5]
    assert [e.id for e in store.get_events(step_key="b")] == [3, 4]
    assert [e.id for e in store.get_events(descending=True, limit=2)] == [5, 4]
    assert [e.id for e in store.get_events(descending=True, before_id=4)] == [3, 2, 1]
    assert store.count_events("r1") == 2
    history = store.materialization_history("a")
    assert [(e.id, e.data["metadata"]) for e in history] == [(5, {"n": 2}), (2, {"n": 1})]
    assert len(store.materialization_history("a", limit=1)) == 1


def test_asset_state_follows_events(store: Store) -> None:
    store.append_events([{"event_type": "STEP_START", "run_id": "r1", "asset_key": "a", "timestamp": 1.0}])
    state = store.asset_states()["a"]
    assert (state.last_status, state.status_run_id, state.last_materialization_event_id) == (
        "running",
        "r1",
        None,
    )
    (mat_id,) = store.append_events([_mat("a", ts=2.0, rows=10)])
    state = store.asset_states(["a"])["a"]
    assert state.last_materialization_event_id == mat_id
    assert (state.last_materialized_at, state.last_run_id, state.last_metadata) == (2.0, "r1", {"rows": 10})
    assert (state.last_status, state.status_at) == ("materialized", 2.0)
    store.append_events([{"event_type": "STEP_FAILURE", "run_id": "r2", "asset_key": "a", "timestamp": 3.0}])
    state = store.asset_states(["a"])["a"]
    assert (state.last_status, state.status_run_id) == ("failed", "r2")
    assert state.last_materialization_event_id == mat_id  # a failure keeps the last good materialization
    store.append_events(
        [
            {"event_type": "STEP_START", "run_id": "r3", "asset_key": "a"},
            {"event_type": "STEP_FAILURE", "run_id": "r3", "asset_key": "a", "data": {"canceled": True}},
            {"event_type": "STEP_START", "run_id": "r3", "asset_key": "b"},
        ]
    )
    states = store.asset_states()
    assert states["a"].last_status == "canceled" and states["b"].last_status == "running"
    assert store.asset_states(["zzz"]) == {}

    before = {k: v.model_dump() for k, v in store.asset_states().items()}
    store.rebuild_asset_states()
    assert {k: v.model_dump() for k, v in store.asset_states().items()} == before


def test_asset_state_is_committed_with_its_event(store: Store) -> None:
    """A reader that sees a materialization in the log always sees the state pointing at it or later."""
    done = threading.Event()
    violations: list[tuple[int, int | None]] = []

    def writer() -> None:
        for i in range(150):
            store.append_events([{"event_type": "LOG"}, _mat("a", n=i)])
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    while not done.is_set():
        latest = store.materialization_history("a", limit=1)
        state = store.asset_states(["a"]).get("a")
        if latest:
            seen = state.last_materialization_event_id if state else None
            if seen is None or seen < latest[0].id:
                violations.append((latest[0].id, seen))
    thread.join()
    assert violations == []


def test_append_4000_events_in_batches_is_one_transaction_per_batch(store: Store) -> None:
    """Each `append_events` call is one transaction, however many events it carries (a transaction
    per event was the regression that made this slow). How fast it is belongs in bench/."""
    batches = [
        [
            _mat(f"a{i % 4}", n=i) if i % 3 == 1 else {"event_type": "LOG", "run_id": "r1", "message": "x"}
            for i in range(b * 10, b * 10 + 10)
        ]
        for b in range(400)
    ]
    commits: list[object] = []

    def on_commit(conn: object) -> None:
        commits.append(conn)

    event.listen(Engine, "commit", on_commit)  # every engine: the store's is private
    try:
        for batch in batches:
            store.append_events(batch)
    finally:
        event.remove(Engine, "commit", on_commit)
    assert len(commits) == len(batches), len(commits)
    assert store.count_events() == 4000


def _append_worker(url: str, worker: int, count: int) -> list[int]:
    store = Store(url)
    ids: list[int] = []
    try:
        for start in range(0, count, 10):
            batch = [
                {"event_type": "LOG", "run_id": f"w{worker}", "message": str(n), "asset_key": None}
                if n % 2
                else _mat(f"w{worker}", run_id=f"w{worker}", n=n)
                for n in range(start, start + 10)
            ]
            ids.extend(store.append_events(batch))
    finally:
        store.close()
    return ids


def test_four_processes_append_concurrently(store_url: str) -> None:
    # The database is still empty: the workers also race to migrate it.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_append_worker, [(store_url, w, 500) for w in range(4)])
    with Store(store_url) as store:
        assert store.count_events() == 2000
        all_ids = [i for ids in results for i in ids]
        assert len(set(all_ids)) == 2000
        for w, ids in enumerate(results):
            assert ids == sorted(ids)
            rows = store.get_events(run_id=f"w{w}", limit=1000)
            assert [e.id for e in rows] == ids
            assert [e.message for e in rows if e.event_type == "LOG"] == [str(n) for n in range(1, 500, 2)]
        states = store.asset_states()
        for w, ids in enumerate(results):
            assert states[f"w{w}"].last_materialization_event_id == ids[-2]


def test_events_by_id_fetches_many_in_one_call(store: Store) -> None:
    ids = store.append_events([{"event_type": "LOG", "message": f"m{i}"} for i in range(1000)])
    wanted = [ids[0], ids[500], ids[-1], 10**9]
    found = store.events_by_id(wanted)
    assert sorted(found) == sorted(ids[i] for i in (0, 500, -1))
    assert found[ids[500]].message == "m500"
    assert store.events_by_id([]) == {}


@pytest.mark.parametrize("size", [1, 5, 63, 64, 65, 150, 1000])
def test_large_batches_keep_order_ids_and_asset_state(store: Store, size: int) -> None:
    """Big batches go out as multi-row statements on SQLite: every row, in order, with its own id."""
    store.append_events([{"event_type": "LOG", "message": "before"}])
    batch = [
        _mat(f"a{i % 7}", ts=float(i), n=i) if i % 2 else {"event_type": "LOG", "message": f"m{i}", "data": {"i": i}}
        for i in range(size)
    ]
    ids = store.append_events(batch)
    assert ids == list(range(2, size + 2))
    rows = store.get_events(after_id=1, limit=size + 10)
    assert [e.id for e in rows] == ids
    assert [e.message or e.data.get("i") for e in rows if e.event_type == "LOG"] == [
        f"m{i}" for i in range(0, size, 2)
    ]
    assert [e.data["metadata"]["n"] for e in rows if e.event_type == "ASSET_MATERIALIZATION"] == list(
        range(1, size, 2)
    )
    states = store.asset_states()
    for asset in {f"a{i % 7}" for i in range(1, size, 2)}:
        last = max(i for i in range(1, size, 2) if f"a{i % 7}" == asset)
        assert states[asset].last_materialization_event_id == ids[last]
        assert states[asset].last_materialized_at == float(last)
