"""Scale tests: a real Dask LocalCluster (worker processes) shared by the module, and stores of both
backends (PostgreSQL cases follow tests/store's rule: deselected locally without a server, failing
in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dagdeck.core.instance import Instance
from dagdeck.core.settings import Settings
from tests.store.pg import deselect_postgres_without_server, fresh_database, require_pg_url

HERE = str(Path(__file__).resolve().parent)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_postgres_without_server(config, items, HERE)


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    """Two single-threaded worker processes on 127.0.0.1, started once for the module."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # no dashboard; its bare HTTP server (health routes) on a free port, not a fixed 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(params=["sqlite", "postgres"])
def any_instance(request: pytest.FixtureRequest, home: Path) -> Iterator[Instance]:
    """An instance on each store backend (the home still holds storage/ and logs/)."""
    if request.param == "sqlite":
        inst = Instance.open(home, Settings())
        yield inst
        inst.close()
        return
    with fresh_database(require_pg_url()) as url:
        inst = Instance.open(home, Settings(store_url=url))
        yield inst
        inst.close()
