"""The daemon lease: which process runs the daemon now, taken over when its heartbeat goes stale."""

from __future__ import annotations

from sqlalchemy import and_, case, delete, or_, select, update

from dagdeck.store.connection import StoreConnection, guarded
from dagdeck.store.engine import insert_for
from dagdeck.store.tables import LEASES, DaemonLease


class LeaseMixin(StoreConnection):
    """``Store`` methods for the daemon lease."""

    @guarded
    def acquire_lease(self, name: str, owner: str, now: float, ttl: float) -> bool:
        """Take or refresh the lease if it is free, ours, or its heartbeat is older than ``ttl``."""
        with self._write() as conn:
            created = conn.execute(
                insert_for(conn.dialect.name, LEASES)
                .values(name=name, owner=owner, acquired_at=now, heartbeat_at=now)
                .on_conflict_do_nothing(index_elements=[LEASES.c.name])
            ).rowcount
            if created:
                return True
            taken = conn.execute(
                update(LEASES)
                .where(
                    LEASES.c.name == name,
                    or_(LEASES.c.owner == owner, LEASES.c.heartbeat_at < now - ttl),
                )
                .values(
                    owner=owner,
                    heartbeat_at=now,
                    acquired_at=case((LEASES.c.owner == owner, LEASES.c.acquired_at), else_=now),
                )
            ).rowcount
            return taken == 1

    @guarded
    def release_lease(self, name: str, owner: str) -> None:
        """Drop the lease if we hold it, so a successor need not wait for the ttl."""
        with self._write() as conn:
            conn.execute(delete(LEASES).where(and_(LEASES.c.name == name, LEASES.c.owner == owner)))

    @guarded
    def get_lease(self, name: str) -> DaemonLease | None:
        with self._read() as conn:
            row = conn.execute(select(LEASES).where(LEASES.c.name == name)).first()
        return None if row is None else DaemonLease(**row._mapping)
