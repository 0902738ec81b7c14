"""Opening, migrating and refusing databases: the file-level contract of the store."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, text

from dagdeck.store import Run, Store, StoreError
from dagdeck.store.schema import HEAD_REVISION, alembic_config
from dagdeck.store.tables import STORE_TABLES

TABLES = {t.name for t in STORE_TABLES}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_fresh_file_is_at_head_private_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "home" / "nested" / "dagdeck.db"
    with Store.sqlite(path) as store:
        assert store.dialect == "sqlite"
        assert store.path == path
    assert _tables(path) >= TABLES
    assert _revision(path) == HEAD_REVISION
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_head_constant_matches_alembic_and_schema_matches_models(store_url: str) -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION
    Store(store_url).close()
    ours = MetaData()
    for table in STORE_TABLES:
        table.to_metadata(ours)
    engine = create_engine(store_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, type_, _parents: name != "alembic_version"}
        )
        assert compare_metadata(context, ours) == []
    engine.dispose()


_REOPEN = """
import json, sys
from dagdeck.store import Store
store = Store(sys.argv[1])
run = store.get_run("r1")
store.close()
print(json.dumps({"job": run and run.job_name, "alembic": sorted(m for m in sys.modules if m.split(".")[0] == "alembic")}))
"""


def test_reopen_at_head_skips_alembic_and_keeps_data(store_url: str) -> None:
    """Opening an up-to-date database costs one small query: Alembic (slow to import) is not even
    imported. Checked in a fresh interpreter, since this test module imports Alembic itself."""
    with Store(store_url) as store:
        store.add_run(Run(run_id="r1", job_name="j", status="QUEUED", created_at=1.0))
    proc = subprocess.run(
        [sys.executable, "-c", _REOPEN, store_url], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"job": "j", "alembic": []}


def test_baseline_file_made_by_alembic_opens_and_keeps_data(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.exec_driver_sql(
            'INSERT INTO runs (run_id, job_name, status, "trigger", created_at, run_config, tags, plan,'
            " location) VALUES ('old', 'j', 'SUCCESS', 'cli', 1.0, '{}', '{}', '{}', '{}')"
        )
    engine.dispose()
    with Store(store_url) as store:
        old = store.get_run("old")
        assert old is not None and old.status == "SUCCESS"
        assert [r.run_id for r in store.list_runs(statuses=["SUCCESS"])] == ["old"]
    assert _url_revision(store_url) == HEAD_REVISION
    # 0002 added the (status, created_at) index to the existing file in place
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            names = {ix["name"] for ix in inspect(conn).get_indexes("runs")}
    finally:
        engine.dispose()
    assert "ix_runs_status_created_at" in names


def _url_revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    finally:
        engine.dispose()


def test_unknown_newer_revision_is_refused(store_url: str) -> None:
    with Store(store_url) as store:
        where = store.where
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match="upgrade dagdeck") as info:
        Store(store_url)
    assert where in str(info.value)


def test_missing_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    path = blocker / "home" / "dagdeck.db"
    with pytest.raises(StoreError, match="cannot open database") as info:
        Store.sqlite(path)
    assert str(path) in str(info.value)


def test_path_that_is_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "dagdeck.db"
    path.mkdir()
    with pytest.raises(StoreError) as info:
        Store.sqlite(path)
    assert str(path) in str(info.value)


def test_unwritable_location(tmp_path: Path) -> None:
    """/proc refuses new files even to root, so this holds for every user."""
    path = Path("/proc/dagdeck-test/dagdeck.db")
    with pytest.raises(StoreError) as info:
        Store.sqlite(path)
    assert str(path.parent) in str(info.value) or str(path) in str(info.value)


def test_locked_database_names_file_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "dagdeck.db"
    store = Store.sqlite(path, busy_timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="locked by another process") as info:
            store.append_events([{"event_type": "LOG"}])
        assert str(path) in str(info.value) and "busy_timeout" in str(info.value)
        assert store.count_events() == 0  # readers are not blocked by the writer (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
