"""Alembic environment for the dagdeck store.

At runtime ``store.schema`` passes an open connection (inside its write transaction) through
``config.attributes["connection"]``; from the alembic CLI (``alembic -c store/alembic.ini ...``) the URL
comes from ``sqlalchemy.url`` or ``DAGDECK_STORE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from dagdeck.store.engine import make_engine
from dagdeck.store.tables import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite can only ALTER by copying tables; batch mode does that for future revisions.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    if context.is_offline_mode():
        url = config.get_main_option("sqlalchemy.url") or os.environ["DAGDECK_STORE_URL"]
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("DAGDECK_STORE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set DAGDECK_STORE_URL or sqlalchemy.url to the database to migrate")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


run_migrations()
