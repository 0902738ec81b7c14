"""SQLModel tables: the whole persistent data model of a dagdeck instance.

Timestamps are float epoch seconds (UTC) so that every layer compares them without tz bugs.
The event log (``EventRecord``) is the source of truth; every other table can be rebuilt from it.
Index names are spelled out because migration ``0001_baseline`` creates them by the same names.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Table
from sqlmodel import Field, SQLModel

# SQLite only gives AUTOINCREMENT (ids never reused) to a column declared exactly "INTEGER PRIMARY KEY";
# elsewhere the global event cursor should not overflow at 2**31.
_EVENT_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class Run(SQLModel, table=True):
    """One execution of a job; ``plan`` and ``location`` are opaque to the store (engine-defined)."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_status_created_at", "status", "created_at"),)

    run_id: str = Field(primary_key=True)
    job_name: str = Field(index=True)
    status: str = Field(index=True)
    trigger: str = "cli"
    created_at: float = Field(index=True)
    started_at: float | None = None
    ended_at: float | None = None
    parent_run_id: str | None = None
    root_run_id: str | None = None
    run_config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    tags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    location: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    executor: str | None = None
    pid: int | None = None
    host: str | None = None
    heartbeat_at: float | None = None
    failure_reason: str | None = None
    # Who claimed the run from the queue and when (revision 0003): until the worker's pid is
    # recorded, a reader judges a STARTING run by its claimer, so a claimer that died between the
    # claim and the fork cannot leave the run (and its slot) taken for good.
    claimed_at: float | None = None
    claimer_pid: int | None = None
    claimer_started_at: float | None = None
    # The worker's start time with its pid (a recycled pid has another), and the processes it saw
    # leave its session (``[[pid, start time], ...]``), so whoever finds it dead can stop them.
    pid_started_at: float | None = None
    processes: list[list[float]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class EventRecord(SQLModel, table=True):
    """One entry of the append-only event log; ``id`` is the global cursor every tailer follows."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_run_id_id", "run_id", "id"),
        Index("ix_events_asset_key_event_type_id", "asset_key", "event_type", "id"),
        Index("ix_events_event_type_id", "event_type", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None, sa_column=Column(_EVENT_ID_TYPE, primary_key=True, autoincrement=True)
    )
    run_id: str | None = None
    event_type: str
    timestamp: float
    step_key: str | None = None
    asset_key: str | None = None
    level: str | None = None
    message: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AssetState(SQLModel, table=True):
    """Latest materialization and live status per asset, kept in step with the log in one transaction."""

    __tablename__ = "asset_state"

    asset_key: str = Field(primary_key=True)
    last_materialization_event_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    last_materialized_at: float | None = None
    last_run_id: str | None = None
    # ``metadata`` is reserved by SQLAlchemy's declarative base, hence the attribute name.
    last_metadata: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JSON, nullable=False)
    )
    last_status: str | None = None
    status_run_id: str | None = None
    status_at: float | None = None


class InstigatorState(SQLModel, table=True):
    """On/off switch and cursor of one schedule or sensor; survives daemon restarts."""

    __tablename__ = "instigator_state"

    name: str = Field(primary_key=True)
    kind: str
    status: str
    cursor: str | None = None
    updated_at: float
    started_at: float | None = None


class Tick(SQLModel, table=True):
    """One evaluation of a schedule or sensor, kept so the console can explain why runs did (not) start."""

    __tablename__ = "ticks"

    id: int | None = Field(default=None, primary_key=True)
    instigator_name: str = Field(index=True)
    kind: str
    scheduled_at: float | None = None
    timestamp: float
    status: str
    run_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skip_reason: str | None = None
    error: str | None = None
    cursor: str | None = None


class RunKey(SQLModel, table=True):
    """A sensor/schedule run key already used; the composite key makes a second claim a no-op."""

    __tablename__ = "run_keys"

    instigator_name: str = Field(primary_key=True)
    run_key: str = Field(primary_key=True)
    run_id: str | None = None
    created_at: float


class DaemonLease(SQLModel, table=True):
    """Who runs the daemon now; a stale heartbeat lets another process take over."""

    __tablename__ = "daemon_leases"

    name: str = Field(primary_key=True)
    owner: str
    acquired_at: float
    heartbeat_at: float


class Backfill(SQLModel, table=True):
    """A range of partitions to run for a selection, launched by the daemon one chunk at a time.

    ``partition_keys`` are in order; chunk ``i`` is ``partition_keys[i*n:(i+1)*n]`` for
    ``n = partitions_per_run`` (None: one chunk of all). ``selection`` is opaque to the store.
    """

    __tablename__ = "backfills"

    backfill_id: str = Field(primary_key=True)
    status: str = Field(index=True)
    selection: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    partition_keys: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    partitions_per_run: int | None = None
    tags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    location: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: float = Field(index=True)
    ended_at: float | None = None
    parent_backfill_id: str | None = None
    failure_reason: str | None = None


class BackfillRun(SQLModel, table=True):
    """The run launched for one chunk of a backfill: the composite key makes a second launch of the
    same chunk a no-op, and the run is inserted in the same transaction that claims the chunk."""

    __tablename__ = "backfill_runs"

    backfill_id: str = Field(primary_key=True)
    chunk: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    run_id: str = Field(index=True)


class AssetPartitionState(SQLModel, table=True):
    """Latest materialization of each partition of a partitioned asset, kept in step with the log in
    the transaction that appends it (as ``asset_state`` is for whole assets)."""

    __tablename__ = "asset_partitions"

    asset_key: str = Field(primary_key=True)
    partition_key: str = Field(primary_key=True)
    last_materialization_event_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    last_materialized_at: float | None = None
    last_run_id: str | None = None
    last_metadata: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JSON, nullable=False)
    )


class DynamicPartition(SQLModel, table=True):
    """One key of a `DynamicPartitionsDefinition`, added at run time (CLI, sensor, `instance`);
    ``created_at`` orders a definition's keys as they were added."""

    __tablename__ = "dynamic_partitions"

    partitions_def_name: str = Field(primary_key=True)
    partition_key: str = Field(primary_key=True)
    created_at: float


# The Core tables behind the models: the store's queries use these, not ORM sessions (cheaper).
RUNS: Table = Run.__table__  # type: ignore[attr-defined]
EVENTS: Table = EventRecord.__table__  # type: ignore[attr-defined]
ASSETS: Table = AssetState.__table__  # type: ignore[attr-defined]
INSTIGATORS: Table = InstigatorState.__table__  # type: ignore[attr-defined]
TICKS: Table = Tick.__table__  # type: ignore[attr-defined]
RUN_KEYS: Table = RunKey.__table__  # type: ignore[attr-defined]
LEASES: Table = DaemonLease.__table__  # type: ignore[attr-defined]
BACKFILLS: Table = Backfill.__table__  # type: ignore[attr-defined]
BACKFILL_RUNS: Table = BackfillRun.__table__  # type: ignore[attr-defined]
DYNAMIC_PARTITIONS: Table = DynamicPartition.__table__  # type: ignore[attr-defined]
ASSET_PARTITIONS: Table = AssetPartitionState.__table__  # type: ignore[attr-defined]

STORE_TABLES = (
    RUNS,
    EVENTS,
    ASSETS,
    INSTIGATORS,
    TICKS,
    RUN_KEYS,
    LEASES,
    BACKFILLS,
    BACKFILL_RUNS,
    DYNAMIC_PARTITIONS,
    ASSET_PARTITIONS,
)
