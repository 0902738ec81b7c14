"""Baseline schema: every dagdeck table and index, spelled out rather than ``create_all``.

Revision ID: 0001
Revises:
Create Date: 2025-11-26

Spelled out so the baseline stays fixed when ``store/tables.py`` evolves in later revisions.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("job_name", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("parent_run_id", sa.String(), nullable=True),
        sa.Column("root_run_id", sa.String(), nullable=True),
        sa.Column("run_config", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("executor", sa.String(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(), nullable=True),
        sa.Column("heartbeat_at", sa.Float(), nullable=True),
        sa.Column("failure_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_index("ix_runs_job_name", "runs", ["job_name"])
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_index("ix_runs_created_at", "runs", ["created_at"])

    op.create_table(
        "events",
        sa.Column("id", _EVENT_ID, primary_key=True, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("step_key", sa.String(), nullable=True),
        sa.Column("asset_key", sa.String(), nullable=True),
        sa.Column("level", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_run_id_id", "events", ["run_id", "id"])
    op.create_index("ix_events_asset_key_event_type_id", "events", ["asset_key", "event_type", "id"])
    op.create_index("ix_events_event_type_id", "events", ["event_type", "id"])

    op.create_table(
        "asset_state",
        sa.Column("asset_key", sa.String(), nullable=False),
        sa.Column("last_materialization_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_materialized_at", sa.Float(), nullable=True),
        sa.Column("last_run_id", sa.String(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("last_status", sa.String(), nullable=True),
        sa.Column("status_run_id", sa.String(), nullable=True),
        sa.Column("status_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("asset_key"),
    )

    op.create_table(
        "instigator_state",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("cursor", sa.String(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )

    op.create_table(
        "ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instigator_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("scheduled_at", sa.Float(), nullable=True),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("skip_reason", sa.String(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("cursor", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticks_instigator_name", "ticks", ["instigator_name"])

    op.create_table(
        "run_keys",
        sa.Column("instigator_name", sa.String(), nullable=False),
        sa.Column("run_key", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("instigator_name", "run_key"),
    )

    op.create_table(
        "daemon_leases",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("acquired_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    for table in ("daemon_leases", "run_keys", "ticks", "instigator_state", "asset_state", "events", "runs"):
        op.drop_table(table)
