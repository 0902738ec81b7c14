"""Partitioned run config for op jobs: `@daily_partitioned_config(start_date=...)` and
`@static_partitioned_config(partition_keys=[...])` turn a function of the partition (its window, or
its key) into a `PartitionedConfig` a job takes as `config=`; a run of partition `k` gets its config."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from dagdeck.core.defs.partitions.base import PartitionsDefinition
from dagdeck.core.defs.partitions.static import StaticPartitionsDefinition
from dagdeck.core.defs.partitions.time_window import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)


class PartitionedConfig:
    """A partitions definition and the run config of each of its partitions."""

    def __init__(
        self,
        partitions_def: PartitionsDefinition,
        run_config_for_partition_key_fn: Callable[[str], dict[str, Any]],
        tags_for_partition_key_fn: Callable[[str], dict[str, str]] | None = None,
    ) -> None:
        self.partitions_def = partitions_def
        self.run_config_for_partition_key_fn = run_config_for_partition_key_fn
        self.tags_for_partition_key_fn = tags_for_partition_key_fn

    def get_run_config_for_partition_key(self, partition_key: str) -> dict[str, Any]:
        return dict(self.run_config_for_partition_key_fn(partition_key) or {})

    def get_tags_for_partition_key(self, partition_key: str) -> dict[str, str]:
        return dict(self.tags_for_partition_key_fn(partition_key)) if self.tags_for_partition_key_fn else {}


def static_partitioned_config(
    partition_keys: Sequence[str],
    tags_for_partition_fn: Callable[[str], dict[str, str]] | None = None,
    **_: Any,
) -> Callable[[Callable[[str], dict[str, Any]]], PartitionedConfig]:
    def wrap(fn: Callable[[str], dict[str, Any]]) -> PartitionedConfig:
        return PartitionedConfig(StaticPartitionsDefinition(partition_keys), fn, tags_for_partition_fn)

    return wrap


def _time_config(cls: type[TimeWindowPartitionsDefinition]) -> Callable[..., Any]:
    def decorator(
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
        tags_for_partition_fn: Callable[[datetime, datetime], dict[str, str]] | None = None,
        **offsets: Any,
    ) -> Callable[[Callable[[datetime, datetime], dict[str, Any]]], PartitionedConfig]:
        def wrap(fn: Callable[[datetime, datetime], dict[str, Any]]) -> PartitionedConfig:
            pdef = cls(
                start_date, end_date=end_date, timezone=timezone, fmt=fmt, end_offset=end_offset, **offsets
            )

            def config(key: str) -> dict[str, Any]:
                return fn(*pdef.time_window_for_partition_key(key))

            def tags(key: str) -> dict[str, str]:
                return (
                    tags_for_partition_fn(*pdef.time_window_for_partition_key(key))
                    if tags_for_partition_fn
                    else {}
                )

            return PartitionedConfig(pdef, config, tags)

        return wrap

    decorator.__name__ = f"{cls.__name__}_config"
    return decorator


daily_partitioned_config = _time_config(DailyPartitionsDefinition)
hourly_partitioned_config = _time_config(HourlyPartitionsDefinition)
weekly_partitioned_config = _time_config(WeeklyPartitionsDefinition)
monthly_partitioned_config = _time_config(MonthlyPartitionsDefinition)
