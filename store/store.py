"""The ``Store``: the only code in dagdeck that talks SQL, composed from one mixin per concern.

Where each table is written:

- ``runs``: runs, their status transitions and the run queue (claiming);
- ``events``: the event log (append, read, tail, counts);
- ``asset_state``: the latest-materialization projection the event writes keep up to date;
- ``automation``: instigators, ticks and run keys; ``lease``: the daemon lease;
- ``backfills``: backfills and the run launched for each chunk of their partitions;
- ``connection``: opening, connection-loss retry, read/write transactions and ``fork_guard``.

Returned SQLModel objects are plain transient instances built from rows, safe to read from any thread
after the call returns.
"""

from __future__ import annotations

from pathlib import Path

from dagdeck.store.asset_state import AssetStateMixin
from dagdeck.store.automation import AutomationMixin
from dagdeck.store.backfills import BackfillsMixin
from dagdeck.store.dynamic_partitions import DynamicPartitionsMixin
from dagdeck.store.events import EventsMixin
from dagdeck.store.lease import LeaseMixin
from dagdeck.store.runs import RunsMixin


class Store(
    RunsMixin, EventsMixin, AssetStateMixin, AutomationMixin, LeaseMixin, BackfillsMixin, DynamicPartitionsMixin
):
    """Persistent state of one dagdeck instance (SQLite file or PostgreSQL database)."""

    @classmethod
    def sqlite(cls, path: Path, *, busy_timeout: float = 30.0) -> Store:
        """Open (creating if needed) the SQLite database file at ``path``."""
        return cls(f"sqlite:///{Path(path).expanduser().absolute()}", busy_timeout=busy_timeout)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
