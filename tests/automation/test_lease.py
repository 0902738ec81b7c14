"""One lease decides who fires: two daemons on one SQLite file fire each tick exactly once, and a
standby takes over within 15 s when the leader dies."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.views.automation import daemon_info
from tests.automation.conftest import SimClock, at, runs_of

EVERY_MINUTE = """
every_minute = dg.ScheduleDefinition(name="every_minute", job=a_job, cron_schedule="* * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING, max_catchup_ticks=5)
defs = dg.Definitions(assets=[a], jobs=[a_job], schedules=[every_minute])
"""


def test_two_daemons_fire_each_of_200_ticks_exactly_once(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    """Both daemons run each pass concurrently in their own threads; now and then the leader
    "dies" (misses passes) long enough for the other to take over."""
    loaded = load_defs(EVERY_MINUTE)
    clock.set(at("2024-01-01 00:00:30"))
    pair = [daemons(loaded, owner_id="a"), daemons(loaded, owner_id="b")]
    rng = random.Random(7)
    paused: dict[str, int] = {}
    leaders: set[str] = set()
    step = 15.0
    steps = int(200 * 60 / step)
    for i in range(steps):
        clock.advance(step)
        active = [d for d in pair if paused.get(d.owner_id, 0) <= i]
        barrier = threading.Barrier(len(active))

        def one_pass(d: Daemon, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            d.run_once()

        threads = [threading.Thread(target=one_pass, args=(d,)) for d in active]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for d in pair:
            if d.is_leader:
                leaders.add(d.owner_id)
        if i % 97 == 50:  # the leader stalls for a minute (its lease expires meanwhile)
            leader = next(d for d in pair if d.is_leader)
            paused[leader.owner_id] = i + rng.randint(4, 6)
    runs = runs_of(pair[0].instance)
    keys = Counter(r.tags["dagdeck/run_key"] for r in runs)
    assert len(keys) == 200, len(keys)
    assert max(keys.values()) == 1
    assert leaders == {"a", "b"}  # both led at some point: failover happened
    scheduled = sorted(r.tags["dagdeck/scheduled_time"] for r in runs)
    assert scheduled[0] == "2024-01-01T00:01:00+00:00" and scheduled[-1] == "2024-01-01T03:20:00+00:00"


def test_standby_takes_over_within_15_seconds(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(EVERY_MINUTE)
    a, b = daemons(loaded, owner_id="a"), daemons(loaded, owner_id="b")
    assert a.run_once().state == "leader"
    status = b.run_once()
    assert (status.state, status.leader_id) == ("standby", "a")
    died_at = clock()
    took_over = None
    while clock() - died_at < 30:  # a is dead: only b runs, once a second
        clock.advance(1)
        if b.run_once().state == "leader":
            took_over = clock() - died_at
            break
    assert took_over is not None and took_over <= 15
    assert daemon_info(b.store, now=clock()).owner == "b"
    assert a.run_once().state == "standby"  # the old leader comes back as standby


def test_clean_stop_hands_over_at_once(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(EVERY_MINUTE)
    a, b = daemons(loaded, owner_id="a"), daemons(loaded, owner_id="b")
    a.run_once()
    b.run_once()
    a.stop()
    assert a.status().state == "off"
    clock.advance(1)
    assert b.run_once().state == "leader"


def test_background_thread_start_stop(load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon]) -> None:
    import time

    d = daemons(load_defs(EVERY_MINUTE), now=time.time, interval=0.05)
    d.start()
    deadline = time.monotonic() + 60  # generous: a loaded machine only makes it slower, never wrong
    while d.status().state != "leader" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert d.status().state == "leader"
    d.stop()
    assert d.status().state == "off" and d.store.get_lease("daemon") is None


def test_run_keys_hold_even_when_both_daemons_think_they_lead(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    """lease_ttl=-1 makes every lease claim succeed: the run-key claim alone must prevent doubles."""
    loaded = load_defs(EVERY_MINUTE)
    clock.set(at("2024-01-01 00:00:30"))
    pair = [daemons(loaded, owner_id=n, lease_ttl=-1.0) for n in ("a", "b")]
    for _ in range(50):
        clock.advance(60)
        barrier = threading.Barrier(2)

        def one_pass(d: Daemon, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            d.run_once()

        threads = [threading.Thread(target=one_pass, args=(d,)) for d in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    keys = Counter(r.tags["dagdeck/run_key"] for r in runs_of(pair[0].instance))
    assert len(keys) == 49 and max(keys.values()) == 1  # 00:02 .. 00:50; started at 00:01:30
