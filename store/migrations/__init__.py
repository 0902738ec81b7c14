"""Alembic migrations of the store schema (script directory; see ``store.schema``)."""
