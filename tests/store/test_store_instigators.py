"""Schedules/sensors state, ticks, run keys and the daemon lease."""

from __future__ import annotations

from dagdeck.store import Store, Tick


def test_upsert_instigator_keeps_unset_fields(store: Store) -> None:
    assert store.get_instigator("s") is None
    created = store.upsert_instigator("s", "sensor")
    assert (created.status, created.cursor, created.started_at) == ("STOPPED", None, None)
    running = store.upsert_instigator("s", "sensor", status="RUNNING")
    assert running.status == "RUNNING" and running.started_at is not None
    again = store.upsert_instigator("s", "sensor", status="RUNNING", cursor="c1")
    assert again.started_at == running.started_at and again.cursor == "c1"
    kept = store.upsert_instigator("s", "sensor")
    assert (kept.status, kept.cursor) == ("RUNNING", "c1")
    cleared = store.upsert_instigator("s", "sensor", status="STOPPED", cursor=None)
    assert (cleared.status, cleared.cursor) == ("STOPPED", None)
    store.upsert_instigator("a_schedule", "schedule", status="RUNNING")
    assert [i.name for i in store.all_instigators()] == ["a_schedule", "s"]


def test_ticks(store: Store) -> None:
    first = Tick(instigator_name="s", kind="sensor", timestamp=1.0, status="STARTED")
    tick_id = store.add_tick(first)
    assert first.id == tick_id
    store.add_tick(Tick(instigator_name="other", kind="sensor", timestamp=2.0, status="SKIPPED"))
    store.add_tick(
        Tick(instigator_name="s", kind="sensor", timestamp=3.0, status="SKIPPED", skip_reason="no")
    )
    store.update_tick(tick_id, status="SUCCESS", run_ids=["r1"])
    ticks = store.list_ticks("s")
    assert [t.timestamp for t in ticks] == [3.0, 1.0]
    assert (ticks[1].status, ticks[1].run_ids) == ("SUCCESS", ["r1"])
    assert len(store.list_ticks("s", limit=1)) == 1


def test_run_key_claim_is_idempotent(store: Store) -> None:
    assert store.claim_run_key("s", "k1", "r1", 1.0)
    assert not store.claim_run_key("s", "k1", "r2", 2.0)
    assert store.claim_run_key("other", "k1", "r3", 2.0)


def test_commit_tick_writes_everything_and_reports_new_keys(store: Store) -> None:
    store.upsert_instigator("s", "sensor", status="RUNNING")
    store.claim_run_key("s", "old", "r0", 1.0)
    tick = Tick(instigator_name="s", kind="sensor", timestamp=5.0, status="SUCCESS", run_ids=["r0b", "r1"])
    new = store.commit_tick(tick, cursor="c5", instigator_name="s", run_keys=[("old", "r0b"), ("k1", "r1")])
    assert new == ["k1"]
    assert tick.id is not None and tick.run_ids == ["r1"]
    assert store.list_ticks("s")[0].run_ids == ["r1"]
    state = store.get_instigator("s")
    assert state is not None and (state.cursor, state.status) == ("c5", "RUNNING")


def test_lease_acquire_expire_takeover(store: Store) -> None:
    assert store.acquire_lease("daemon", "a", now=100.0, ttl=30.0)
    assert not store.acquire_lease("daemon", "b", now=110.0, ttl=30.0)
    assert store.acquire_lease("daemon", "a", now=120.0, ttl=30.0)  # refresh
    lease = store.get_lease("daemon")
    assert lease is not None and (lease.owner, lease.acquired_at, lease.heartbeat_at) == ("a", 100.0, 120.0)
    assert not store.acquire_lease("daemon", "b", now=149.0, ttl=30.0)
    assert store.acquire_lease("daemon", "b", now=151.0, ttl=30.0)  # a's heartbeat expired
    lease = store.get_lease("daemon")
    assert lease is not None and (lease.owner, lease.acquired_at) == ("b", 151.0)
    store.release_lease("daemon", "a")  # not ours any more: no effect
    assert store.get_lease("daemon") is not None
    store.release_lease("daemon", "b")
    assert store.get_lease("daemon") is None
    assert store.acquire_lease("daemon", "a", now=152.0, ttl=30.0)
