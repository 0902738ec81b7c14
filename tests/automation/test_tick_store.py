"""The store's side of tick submission, on SQLite and PostgreSQL: a run key is claimed in the
transaction that creates its run, and two processes finishing the same tick at once (a resumed tick
while the old leader still runs) create each run once and list it once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dagdeck.core.events import EventType, make_event
from dagdeck.store import Run, Store, Tick
from tests.store.pg import BACKENDS, fresh_database, require_pg_url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend (PostgreSQL needs DAGDECK_TEST_PG_URL; see tests/store/pg.py)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dagdeck.db'}"
        return
    with fresh_database(require_pg_url()) as url:
        yield url


def _run(key: str) -> tuple[str, Run, list[dict[str, Any]]]:
    run_id = uuid.uuid4().hex
    run = Run(run_id=run_id, job_name="j", status="QUEUED", trigger="sensor:s", created_at=time.time(), tags={"k": key})
    return key, run, [make_event(EventType.RUN_ENQUEUED, run_id, message="queued", timestamp=run.created_at)]


def test_claim_and_run_are_one_write_and_duplicates_are_told_apart(store_url: str) -> None:
    with Store(store_url) as store:
        store.claim_run_key("s", "old", "r-old", 1.0)
        tick = Tick(instigator_name="s", kind="sensor", timestamp=2.0, status="STARTED")
        tick_id = store.add_tick(tick)
        created, used = store.submit_tick_runs(tick_id, "s", [_run("old"), _run("k1"), _run("k2")])
        assert len(created) == 2 and used == ["old"]
        # resubmitting (a resumed tick): this tick's own keys are neither new nor duplicates
        again, used_again = store.submit_tick_runs(tick_id, "s", [_run("k1"), _run("k2"), _run("k3")])
        assert len(again) == 1 and used_again == []
        assert store.list_ticks("s")[0].run_ids == [*created, *again]
        assert {r.tags["k"] for r in store.list_runs()} == {"k1", "k2", "k3"}
        assert store.get_instigator("s") is None  # the cursor is untouched until the tick ends
        final = store.finish_tick(tick_id, "s", "sensor", "c1", status="SUCCESS")
        assert final is not None and (final.status, final.cursor, len(final.run_ids)) == ("SUCCESS", "c1", 3)
        state = store.get_instigator("s")
        assert state is not None and state.cursor == "c1"


def test_two_writers_finishing_one_tick_create_each_run_once(store_url: str) -> None:
    keys = [f"k{i}" for i in range(60)]
    with Store(store_url) as first, Store(store_url) as second:
        tick_id = first.add_tick(Tick(instigator_name="s", kind="sensor", timestamp=1.0, status="STARTED"))
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def finish(store: Store, order: list[str]) -> None:
            try:
                barrier.wait(30)
                for start in range(0, len(order), 5):
                    store.submit_tick_runs(tick_id, "s", [_run(k) for k in order[start : start + 5]])
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)

        threads = [
            threading.Thread(target=finish, args=(first, keys)),
            threading.Thread(target=finish, args=(second, keys[::-1])),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        runs = first.list_runs(limit=1000)
        listed = first.list_ticks("s")[0].run_ids
        assert sorted(r.tags["k"] for r in runs) == sorted(keys)
        assert sorted(listed) == sorted(r.run_id for r in runs)
