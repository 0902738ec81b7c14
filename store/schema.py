"""Bring a database to the schema head, paying for Alembic only when a migration is actually due.

Opening an up-to-date file costs one small query; Alembic (slow to import) is loaded only when the
stored revision differs from ``HEAD_REVISION``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from dagdeck.store.engine import WRITE_OPTION, lock_schema
from dagdeck.store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

# Must equal the newest revision in migrations/versions (a test checks it against Alembic's head).
HEAD_REVISION = "0006"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def current_revision(conn: Connection) -> str | None:
    """The revision stamped in ``alembic_version``, or None for a database never migrated."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(conn: Connection | None = None) -> Config:
    """An Alembic ``Config`` pointing at the packaged scripts; no alembic.ini needed at runtime."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def ensure_schema(engine: Engine, where: str) -> None:
    """Upgrade ``engine``'s database to head in one write transaction; refuse newer databases."""
    with engine.connect() as conn:
        revision = current_revision(conn)
        conn.rollback()
    if revision == HEAD_REVISION:
        return

    from alembic import command
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            # Re-read under the write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL,
            # whose DDL is transactional too): another process may have migrated meanwhile.
            lock_schema(conn)
            revision = current_revision(conn)
            if revision == HEAD_REVISION:
                return
            config = alembic_config(conn)
            script = ScriptDirectory.from_config(config)
            known = {rev.revision for rev in script.walk_revisions()}
            if revision is not None and revision not in known:
                raise StoreError(
                    f"database {where} has schema revision {revision!r}, newer than this dagdeck knows "
                    f"(head {HEAD_REVISION!r}); upgrade dagdeck to open it"
                )
            command.upgrade(config, "head")
