"""The one exception type the store raises, so callers never need to know SQLAlchemy."""

from __future__ import annotations


class StoreError(Exception):
    """A storage failure with a one-line message that names the database and the fix."""
