"""dagdeck persistence: SQLModel tables and the one ``Store`` class that reads and writes them.

Knows nothing about the engine beyond a few event-type names; never imports ``core`` or ``tui``.
"""

from dagdeck.store.errors import StoreError
from dagdeck.store.store import UNSET, EventRow, Store, fork_guard
from dagdeck.store.tables import AssetState, DaemonLease, EventRecord, InstigatorState, Run, RunKey, Tick

__all__ = [
    "UNSET",
    "AssetState",
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
