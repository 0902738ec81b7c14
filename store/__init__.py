"""dagdeck persistence: SQLModel tables and the one ``Store`` class that reads and writes them.

``Store`` (store.py) is composed of one mixin per concern: runs.py, events.py, asset_state.py,
automation.py and lease.py, over the shared retry and transaction code in connection.py. Knows
nothing about the engine beyond a few event-type names; never imports ``core`` or ``tui``.
"""

from dagdeck.store.automation import UNSET
from dagdeck.store.connection import fork_guard
from dagdeck.store.errors import StoreError
from dagdeck.store.events import EventRow
from dagdeck.store.store import Store
from dagdeck.store.tables import (
    AssetState,
    Backfill,
    DaemonLease,
    EventRecord,
    InstigatorState,
    Run,
    RunKey,
    Tick,
)

__all__ = [
    "UNSET",
    "AssetState",
    "Backfill",
    "DaemonLease",
    "EventRecord",
    "EventRow",
    "InstigatorState",
    "Run",
    "RunKey",
    "Store",
    "StoreError",
    "Tick",
    "fork_guard",
]
