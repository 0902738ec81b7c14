"""The exception types the store raises, so callers never need to know SQLAlchemy."""

from __future__ import annotations


class StoreError(Exception):
    """A storage failure with a one-line message that names the database and the fix."""


class DiskFullError(StoreError):
    """The database's disk (or its quota) is full: retrying cannot help until space is freed.

    A separate type so that a writer can stop at once and end its run with the reason instead of
    waiting, and so that messages can always say "disk full".
    """


_DISK_FULL_MARKERS = (
    "database or disk is full",  # SQLite's SQLITE_FULL
    "no space left on device",  # ENOSPC, as PostgreSQL and the OS word it
    "disk quota exceeded",  # EDQUOT
    "could not extend file",  # PostgreSQL growing a relation
)


def is_disk_full(detail: str) -> bool:
    """Whether a driver or OS message says the disk is full."""
    lowered = detail.lower()
    return any(marker in lowered for marker in _DISK_FULL_MARKERS)
