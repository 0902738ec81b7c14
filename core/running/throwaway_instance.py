"""Throwaway instances for tests: `DagsterInstance.ephemeral()` and `instance_for_test()`.

Dagster keeps these in memory; here they are an ordinary instance in a fresh temporary home (the
run machinery is the same one the CLI uses), removed when `instance_for_test` exits.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagdeck.core.instance import Instance
from dagdeck.core.running.instance_reads import StepInstance


class DagsterInstance(Instance):
    """An instance with Dagster's constructors and the read methods steps use on theirs
    (`get_latest_materialization_event`, `get_asset_records`, `get_event_records`...)."""

    @staticmethod
    def ephemeral() -> DagsterInstance:
        """A new instance in a temporary home, for one test."""
        return throwaway_instance()

    @staticmethod
    def get() -> DagsterInstance:
        """The instance of `DAGDECK_HOME` (or the default home), as `dagdeck` commands use it."""
        base = Instance.open()
        return DagsterInstance(base.home, base.store, base.settings)

    def get_run_by_id(self, run_id: str) -> Any:
        return self.store.get_run(run_id)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("home", "store", "settings"):
            raise AttributeError(name)
        return getattr(StepInstance(self), name)


def throwaway_instance() -> DagsterInstance:
    base = Instance.open(tempfile.mkdtemp(prefix="dagdeck-"))
    return DagsterInstance(base.home, base.store, base.settings)


@contextmanager
def instance_for_test(
    overrides: Any = None, set_dagster_home: bool = True, temp_dir: str | None = None
) -> Iterator[DagsterInstance]:
    """A throwaway instance for the `with` block; its home is deleted afterwards."""
    instance = throwaway_instance()
    try:
        yield instance
    finally:
        instance.close()
        shutil.rmtree(instance.home, ignore_errors=True)
