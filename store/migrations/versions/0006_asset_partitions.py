"""Asset partitions: the latest materialization of each partition of a partitioned asset, projected
from the event log like ``asset_state``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_partitions",
        sa.Column("asset_key", sa.String(), nullable=False),
        sa.Column("partition_key", sa.String(), nullable=False),
        sa.Column("last_materialization_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_materialized_at", sa.Float(), nullable=True),
        sa.Column("last_run_id", sa.String(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("asset_key", "partition_key"),
    )


def downgrade() -> None:
    op.drop_table("asset_partitions")
