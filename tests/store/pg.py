"""Throwaway PostgreSQL databases for tests: one fresh database per test on the server that
``DAGDECK_TEST_PG_URL`` names (``.ci/run`` starts one; see the README to start your own).

Without the variable, PostgreSQL cases are deselected locally but fail under CI (``CI=true``), so a
CI run can never pass by silently testing SQLite alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

PG_ENV = "DAGDECK_TEST_PG_URL"
BACKENDS = ("sqlite", "postgres")


def pg_test_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_pg_url() -> str:
    """The server URL, or fail (CI) / skip (local) the calling test."""
    url = pg_test_url()
    if url is None:
        message = f"{PG_ENV} is not set: PostgreSQL tests need a server (.ci/run starts one)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


def libpq_url(url: str) -> str:
    """The same URL without SQLAlchemy's driver suffix, for psycopg.connect."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server, yield its SQLAlchemy URL, drop it afterwards."""
    import psycopg

    name = f"dagdeck_t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(libpq_url(server_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(libpq_url(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def deselect_postgres_without_server(config: pytest.Config, items: list[pytest.Item], under: str) -> None:
    """Locally without a server, drop the ``[postgres]`` cases under ``under`` instead of skipping them."""
    if pg_test_url() is not None or in_ci():
        return
    dropped = [i for i in items if str(i.path).startswith(under) and "[postgres" in i.nodeid]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in set(dropped)]
