"""What a sensor returns to add or delete dynamic partition keys (`SensorResult(
dynamic_partitions_requests=[...])`): applied to the instance before its run requests launch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class AddDynamicPartitionsRequest(NamedTuple):
    partitions_def_name: str
    partition_keys: Sequence[str]


class DeleteDynamicPartitionsRequest(NamedTuple):
    partitions_def_name: str
    partition_keys: Sequence[str]
