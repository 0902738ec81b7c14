"""Record who claimed a run and the worker's identity: claimer pid and start time, claim time, the
worker's start time, and the processes that left its session.

A run claimed by a process that died before forking its worker stayed STARTING for good; with the
claim recorded, any reader can tell a dead claim from a slow one and end the run.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("claimed_at", sa.Float()),
    ("claimer_pid", sa.Integer()),
    ("claimer_started_at", sa.Float()),
    ("pid_started_at", sa.Float()),
    ("processes", sa.JSON()),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("runs", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
