"""Sensors: cursor persistence, run keys, skips, a raising and a hanging sensor, asset sensors."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from dagdeck.core.automation.daemon import Daemon
from dagdeck.core.automation.tick_records import failure_repeats
from dagdeck.core.defs.loader import Loaded
from dagdeck.core.events import EventType, make_event
from dagdeck.core.views.automation import evaluate_sensor_now, list_automation, reset_cursor
from tests.automation.conftest import WAIT, SimClock, runs_of

COUNTER = """
RUN = dg.DefaultSensorStatus.RUNNING
CALLS = []

@dg.sensor(job=a_job, minimum_interval_seconds=30, default_status=RUN)
def counter(context):
    CALLS.append(context.cursor)
    n = int(context.cursor or 0)
    context.update_cursor(str(n + 2))
    # each evaluation asks for two new keys, one repeated in the same evaluation, one old one
    yield dg.RunRequest(run_key=f"k{n}")
    yield dg.RunRequest(run_key=f"k{n}")
    yield dg.RunRequest(run_key=f"k{n + 1}")
    yield dg.RunRequest(run_key="k0")

@dg.sensor(job=a_job, minimum_interval_seconds=30, default_status=RUN)
def quiet():
    return dg.SkipReason("nothing to do")
"""


def test_cursor_run_keys_and_skips_persist_across_restarts(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(COUNTER + "defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[counter, quiet])\n")
    d = daemons(loaded)
    d.run_once(wait=WAIT)
    d.run_once(wait=WAIT)  # within minimum_interval_seconds: not evaluated again
    clock.advance(30)
    d.run_once(wait=WAIT)
    d.stop()
    state = d.store.get_instigator("counter")
    assert state is not None and state.cursor == "4"
    d2 = daemons(loaded)  # a restart picks the cursor up from the store
    clock.advance(30)
    d2.run_once(wait=WAIT)
    keys = [r.tags["dagdeck/run_key"] for r in runs_of(d2.instance, "sensor:counter")]
    assert keys == ["k0", "k1", "k2", "k3", "k4", "k5"]
    assert all(r.tags["dagdeck/sensor"] == "counter" for r in runs_of(d2.instance))
    ticks = d2.store.list_ticks("counter")
    assert [(t.status, len(t.run_ids), t.cursor) for t in ticks] == [
        ("SUCCESS", 2, "6"),
        ("SUCCESS", 2, "4"),
        ("SUCCESS", 2, "2"),
    ]
    # repeated identical skips refresh one tick instead of piling up rows (failures: test_tick_resume)
    quiet = d2.store.list_ticks("quiet")
    assert [(t.status, t.skip_reason) for t in quiet] == [("SKIPPED", "nothing to do")]
    assert quiet[0].timestamp == clock()
    # reset-cursor: evaluation restarts from scratch, but used run keys never launch again
    reset_cursor(loaded.defs, d2.store, "counter")
    clock.advance(30)
    d2.run_once(wait=WAIT)
    assert len(runs_of(d2.instance, "sensor:counter")) == 6
    assert d2.store.list_ticks("counter")[0].status == "SKIPPED"
    row = next(r for r in list_automation(loaded.defs, d2.store, "sensor") if r.name == "counter")
    assert row.to_json()["last_tick_status"] == "SKIPPED" and row.status == "RUNNING"


def _until(what: str, condition: Callable[[], object], timeout: float = 60.0) -> None:
    """Poll `condition` (which may drive the daemon) until it holds; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_raising_and_hanging_sensors_fail_their_own_ticks_only(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(
        """
import threading
RUN = dg.DefaultSensorStatus.RUNNING
ENTERED = threading.Event()
RELEASE = threading.Event()

@dg.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUN)
def raising(context):
    raise ValueError("bad sensor code")

@dg.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUN)
def hanging(context):
    ENTERED.set()
    RELEASE.wait(60)
    return dg.RunRequest(run_key="late")

@dg.sensor(job=a_job, minimum_interval_seconds=1, default_status=RUN)
def healthy(context):
    return dg.RunRequest(run_key=f"ok-{context.cursor or 0}")

defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[raising, hanging, healthy])
"""
    )
    module = sys.modules[loaded.defs.sensors["hanging"].fn.__module__]  # type: ignore[union-attr]
    d = daemons(loaded, evaluation_timeout=1.0)
    d.run_once()
    assert module.ENTERED.wait(30)
    # healthy is committed while hanging's call is still inside the sensor (RELEASE is not set):
    # the loop did not wait for it, whatever the machine's load
    _until("healthy's tick", lambda: d.run_once(wait=0.2) and d.store.list_ticks("healthy"))
    assert [t.status for t in d.store.list_ticks("healthy")] == ["SUCCESS"]
    assert not module.RELEASE.is_set() and not any(t.status == "SUCCESS" for t in d.store.list_ticks("hanging"))
    _until("hanging's timeout", lambda: d.run_once(wait=0.2) and d.store.list_ticks("hanging"))
    hang = d.store.list_ticks("hanging")
    assert [t.status for t in hang] == ["FAILURE"] and "timeout" in (hang[0].error or "")
    boom = d.store.list_ticks("raising")
    assert [t.status for t in boom] == ["FAILURE"]
    assert "ValueError: bad sensor code" in (boom[0].error or "") and "Traceback" in (boom[0].error or "")
    # the loop goes on: the next interval evaluates raising and healthy again (the same error
    # counts on raising's one row); hanging's call is still running, so it is not stacked up
    clock.advance(1)
    _until("raising's second evaluation", lambda: d.run_once(wait=0.2) and failure_repeats(d.store.list_ticks("raising")[0]) == 2)
    assert len(d.store.list_ticks("raising")) == 1
    assert len(d.store.list_ticks("hanging")) == 1
    assert d.status().state == "leader" and d.status().last_error is None
    # once the hung call returns, its result is dropped (the tick already failed) and the next
    # evaluation runs
    module.RELEASE.set()
    clock.advance(1)
    _until("hanging's next tick", lambda: d.run_once(wait=0.2) and len(d.store.list_ticks("hanging")) == 2)
    assert [t.status for t in d.store.list_ticks("hanging")] == ["SUCCESS", "FAILURE"]
    assert len(runs_of(d.instance, "sensor:hanging")) == 1


def test_cursor_changed_during_evaluation_is_not_overwritten(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(
        """
import threading
GO = threading.Event()

@dg.sensor(job=a_job, minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING)
def slow(context):
    GO.wait(5)
    context.update_cursor("from-evaluation")

defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[slow])
"""
    )
    d = daemons(loaded)
    d.store.upsert_instigator("slow", "sensor", status="RUNNING", cursor="c1", now=clock())
    d.run_once()
    d.store.upsert_instigator("slow", "sensor", cursor="set-by-user")
    __import__("sys").modules[loaded.defs.sensors["slow"].fn.__module__].GO.set()
    d.run_once(wait=WAIT)
    state = d.store.get_instigator("slow")
    assert state is not None and state.cursor == "set-by-user"
    clock.advance(1)
    d.run_once(wait=WAIT)  # evaluated again from the user's cursor
    state = d.store.get_instigator("slow")
    assert state is not None and state.cursor == "from-evaluation"


def test_asset_sensor_fires_once_per_new_materialization(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    loaded = load_defs(
        """
b_job = dg.define_asset_job("b_job", selection="a")
on_a = dg.asset_sensor("a", job=b_job, name="on_a", minimum_interval_seconds=1,
    default_status=dg.DefaultSensorStatus.RUNNING)
defs = dg.Definitions(assets=[a], jobs=[a_job, b_job], sensors=[on_a])
"""
    )
    clock.set(time.time())
    d = daemons(loaded)
    store = d.store

    def materialize() -> int:
        ev = make_event(EventType.ASSET_MATERIALIZATION, "r-up", step_key="a", asset_key="a", metadata={})
        return store.append_events([ev])[0]

    d.run_once(wait=WAIT)
    assert runs_of(d.instance) == []
    first, second = materialize(), materialize()
    clock.advance(1)
    d.run_once(wait=WAIT)
    clock.advance(1)
    d.run_once(wait=WAIT)
    third = materialize()
    clock.advance(1)
    d.run_once(wait=WAIT)
    runs = runs_of(d.instance, "sensor:on_a")
    assert [r.tags["dagdeck/asset_event_id"] for r in runs] == [str(first), str(second), str(third)]
    assert {r.job_name for r in runs} == {"b_job"}
    state = store.get_instigator("on_a")
    assert state is not None and state.cursor == str(third)


def test_tick_now_previews_without_writing_and_launches_on_request(
    load_defs: Callable[[str], Loaded], daemons: Callable[..., Daemon], clock: SimClock
) -> None:
    from dagdeck.core.running.launcher import Launcher

    loaded = load_defs(COUNTER + "defs = dg.Definitions(assets=[a], jobs=[a_job], sensors=[counter, quiet])\n")
    d = daemons(loaded)
    preview = evaluate_sensor_now(d.instance, loaded, "counter")
    assert [r["run_key"] for r in preview.requests] == ["k0", "k0", "k1", "k0"]
    assert preview.evaluation.cursor == "2" and d.store.list_ticks("counter") == []
    assert d.store.get_instigator("counter") is None
    launched = evaluate_sensor_now(d.instance, loaded, "counter", launcher=Launcher(d.instance), launch=True)
    assert launched.tick is not None and len(launched.run_ids) == 2
    assert d.store.get_instigator("counter").cursor == "2"  # type: ignore[union-attr]
