"""Every store test runs on SQLite and on PostgreSQL (a fresh database per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dagdeck.store import Store
from tests.store.pg import BACKENDS, deselect_postgres_without_server, fresh_database, require_pg_url

HERE = str(Path(__file__).resolve().parent)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_postgres_without_server(config, items, HERE)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend, as a URL (tests that open several stores use this)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dagdeck.db'}"
        return
    with fresh_database(require_pg_url()) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as s:
        yield s
