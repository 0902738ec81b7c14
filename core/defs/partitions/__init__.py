"""Partitions: an asset or job split into keys (days, regions, customers) that run and are stored
one key (or one range of keys) at a time, with Dagster's names and semantics.

`base` holds what every kind shares; each kind has its module; `mappings` says which upstream
partitions a downstream partition reads; `config` builds partitioned run config for op jobs.
"""

from dagdeck.core.defs.partitions.base import (
    DagsterUnknownPartitionError,
    PartitionKeyRange,
    PartitionsDefinition,
)
from dagdeck.core.defs.partitions.dynamic import DynamicPartitionsDefinition
from dagdeck.core.defs.partitions.multi import MultiPartitionKey, MultiPartitionsDefinition
from dagdeck.core.defs.partitions.static import StaticPartitionsDefinition
from dagdeck.core.defs.partitions.time_window import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    TimeWindow,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)

__all__ = [
    "DagsterUnknownPartitionError",
    "DailyPartitionsDefinition",
    "DynamicPartitionsDefinition",
    "HourlyPartitionsDefinition",
    "MonthlyPartitionsDefinition",
    "MultiPartitionKey",
    "MultiPartitionsDefinition",
    "PartitionKeyRange",
    "PartitionsDefinition",
    "StaticPartitionsDefinition",
    "TimeWindow",
    "TimeWindowPartitionsDefinition",
    "WeeklyPartitionsDefinition",
]
