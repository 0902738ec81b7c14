"""Which daemon fires: the holder of the store's `daemon` lease, refreshed every second or so.

Others stay standby and take over when the holder's heartbeat is older than `LEASE_TTL` (12 s, so
with the one-second retry a dead leader is replaced within 15 s). Even two leaders at once could not
double-launch: every schedule tick and keyed sensor request goes through a run-key claim.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable

from dagdeck.core.statuses import DaemonRole
from dagdeck.store import Store

log = logging.getLogger("dagdeck.daemon")

LEASE_NAME = "daemon"
LEASE_TTL = 12.0
"""Seconds without a heartbeat after which a standby takes over."""
LEASE_REFRESH = 1.0


def default_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    """One daemon's hold on the lease. `generation` changes whenever leadership is gained or lost,
    so an evaluation started under one leadership is never committed under another."""

    def __init__(
        self, store: Store, owner_id: str, ttl: float, now: Callable[[], float], on_gained: Callable[[], None]
    ) -> None:
        self.store = store
        self.owner_id = owner_id
        self.ttl = ttl
        self.now = now
        self.on_gained = on_gained
        self.role = DaemonRole.OFF
        self.leader_id: str | None = None
        """Owner of the lease as last seen (this daemon when leader)."""
        self.generation = 0
        self._last_try: float | None = None
        self._ok_at: float | None = None

    @property
    def held(self) -> bool:
        return self.role == DaemonRole.LEADER

    def refresh(self, now: float) -> bool:
        """Take or keep the lease (at most every `LEASE_REFRESH` seconds); True when held."""
        if self._last_try is not None and abs(now - self._last_try) < LEASE_REFRESH:
            return self.held
        self._last_try = now
        was = self.role
        if self.store.acquire_lease(LEASE_NAME, self.owner_id, now, ttl=self.ttl):
            self.role, self.leader_id, self._ok_at = DaemonRole.LEADER, self.owner_id, now
            if was != DaemonRole.LEADER:
                log.info("daemon %s is the leader", self.owner_id)
                self.generation += 1
                self.on_gained()
        else:
            lease = self.store.get_lease(LEASE_NAME)
            self.leader_id = lease.owner if lease else None
            self.role = DaemonRole.STANDBY
            if was == DaemonRole.LEADER:
                log.warning("daemon %s lost the lease to %s", self.owner_id, self.leader_id)
                self.generation += 1
            elif was == DaemonRole.OFF:
                log.info("daemon %s is standby (leader: %s)", self.owner_id, self.leader_id)
        return self.held

    def still_held(self) -> bool:
        """Before committing late results: is our last heartbeat still safely inside the ttl?"""
        if not self.held or self._ok_at is None:
            return False
        now = self.now()
        if now - self._ok_at > self.ttl / 2:
            self._last_try = None
            return self.refresh(now)
        return True

    def release(self) -> None:
        """Go off; a leader gives the lease up so a standby takes over at once. A store error
        propagates (the role is off regardless)."""
        was = self.role
        self.role = DaemonRole.OFF
        self.generation += 1
        if was == DaemonRole.LEADER:
            self.store.release_lease(LEASE_NAME, self.owner_id)
