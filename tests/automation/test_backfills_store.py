"""The store's side of backfills, on SQLite and PostgreSQL: a chunk is claimed in the transaction
that creates its run, so two leaders launching the same backfill at once create each run once; a
canceled backfill launches nothing; a store from before backfills (revision 0003) opens and gains
the tables with its runs kept."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine

from dagdeck.core.events import EventType, make_event
from dagdeck.store import Backfill, Run, Store
from dagdeck.store.schema import alembic_config
from tests.store.pg import BACKENDS, fresh_database, require_pg_url

ACTIVE = ["REQUESTED", "IN_PROGRESS"]


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend (PostgreSQL needs DAGDECK_TEST_PG_URL; see tests/store/pg.py)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dagdeck.db'}"
        return
    with fresh_database(require_pg_url()) as url:
        yield url


def _backfill(keys: int = 10) -> Backfill:
    return Backfill(
        backfill_id=uuid.uuid4().hex[:8],
        status="REQUESTED",
        selection={"select": "a", "assets": ["a"]},
        partition_keys=[f"k{i}" for i in range(keys)],
        partitions_per_run=1,
        created_at=time.time(),
    )


def _launch(chunk: int) -> tuple[int, Run, list[dict[str, Any]]]:
    run = Run(run_id=uuid.uuid4().hex, job_name="j", status="QUEUED", created_at=time.time())
    return (
        chunk,
        run,
        [make_event(EventType.RUN_ENQUEUED, run.run_id, message="queued", timestamp=run.created_at)],
    )


def test_two_leaders_launch_each_chunk_once(store_url: str) -> None:
    with Store(store_url) as store:
        backfill = _backfill(40)
        store.add_backfill(backfill)
    created: list[list[str]] = [[], []]

    def leader(slot: int) -> None:
        with Store(store_url) as own:
            for chunk in range(40):
                created[slot] += own.launch_backfill_runs(
                    backfill.backfill_id, ACTIVE, "IN_PROGRESS", [_launch(chunk)]
                )

    threads = [threading.Thread(target=leader, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Store(store_url) as store:
        launched = store.backfill_runs(backfill.backfill_id)
        assert [c for c, _r, _s in launched] == list(range(40))
        assert sorted(created[0] + created[1]) == sorted(r for _c, r, _s in launched)
        assert store.count_runs() == 40
        assert store.backfill_run_counts(backfill.backfill_id) == {"QUEUED": 40}
        stored = store.get_backfill(backfill.backfill_id)
        assert stored is not None and stored.status == "IN_PROGRESS"


def test_a_canceled_backfill_launches_nothing(store_url: str) -> None:
    with Store(store_url) as store:
        backfill = _backfill()
        store.add_backfill(backfill)
        assert store.transition_backfill(backfill.backfill_id, ACTIVE, "CANCELED", ended_at=time.time())
        assert store.launch_backfill_runs(backfill.backfill_id, ACTIVE, "IN_PROGRESS", [_launch(0)]) == []
        assert store.count_runs() == 0
        assert not store.transition_backfill(backfill.backfill_id, ACTIVE, "CANCELED")
        assert [b.backfill_id for b in store.list_backfills(["CANCELED"])] == [backfill.backfill_id]
        assert store.find_backfill(backfill.backfill_id[:5]) is not None
        assert store.find_backfill("zz") is None


def test_a_store_from_before_backfills_opens_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = alembic_config(conn)
        command.upgrade(config, "0003")
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(
            'INSERT INTO runs (run_id, job_name, status, "trigger", created_at, run_config, tags, plan, location)'
            " VALUES ('r1', 'j', 'SUCCESS', 'cli', 1.0, '{}', '{}', '{}', '{}')"
        )
    with Store.sqlite(path) as store:
        run = store.get_run("r1")
        assert run is not None and run.status == "SUCCESS"
        backfill = _backfill()
        store.add_backfill(backfill)
        assert store.launch_backfill_runs(backfill.backfill_id, ACTIVE, "IN_PROGRESS", [_launch(0)])
        assert store.list_backfills()[0].backfill_id == backfill.backfill_id


def test_relaunch_moves_the_chunk_once(store_url: str) -> None:
    with Store(store_url) as store:
        backfill = _backfill()
        store.add_backfill(backfill)
        (old,) = store.launch_backfill_runs(backfill.backfill_id, ACTIVE, "IN_PROGRESS", [_launch(0)])
        assert store.transition_run(old, ["QUEUED"], "FAILURE")
        assert store.backfill_runs_never_started(backfill.backfill_id, ["FAILURE"]) == [(0, old, {})]
        first, second = _launch(0), _launch(0)
        assert store.relaunch_backfill_run(backfill.backfill_id, ACTIVE, old, first)
        assert not store.relaunch_backfill_run(backfill.backfill_id, ACTIVE, old, second)
        assert [r for _c, r, _s in store.backfill_runs(backfill.backfill_id)] == [first[1].run_id]
        assert store.get_run(second[1].run_id) is None
        assert store.backfill_runs_never_started(backfill.backfill_id, ["FAILURE"]) == []
