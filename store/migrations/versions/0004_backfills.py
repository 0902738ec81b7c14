"""Backfills: the ``backfills`` record and ``backfill_runs``, the run launched for each chunk of
partitions (its primary key makes launching a chunk twice impossible).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backfills",
        sa.Column("backfill_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("partition_keys", sa.JSON(), nullable=False),
        sa.Column("partitions_per_run", sa.Integer(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("parent_backfill_id", sa.String(), nullable=True),
        sa.Column("failure_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("backfill_id"),
    )
    op.create_index("ix_backfills_status", "backfills", ["status"])
    op.create_index("ix_backfills_created_at", "backfills", ["created_at"])
    op.create_table(
        "backfill_runs",
        sa.Column("backfill_id", sa.String(), nullable=False),
        sa.Column("chunk", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("backfill_id", "chunk"),
    )
    op.create_index("ix_backfill_runs_run_id", "backfill_runs", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_backfill_runs_run_id", table_name="backfill_runs")
    op.drop_table("backfill_runs")
    op.drop_index("ix_backfills_created_at", table_name="backfills")
    op.drop_index("ix_backfills_status", table_name="backfills")
    op.drop_table("backfills")
