"""What a custom IO manager is told about the value it stores or loads: Dagster's `OutputContext`
and `InputContext`, and `build_output_context` / `build_input_context` to unit-test one.

The built-in IO managers get the cheaper `IOContext` (core/defs/io_managers.py); these are built only
for an IO manager written for Dagster, so the default path pays nothing for them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.results import DagsterInvariantViolationError


def _namespace(resources: Any) -> Any:
    if resources is None:
        return SimpleNamespace()
    return SimpleNamespace(**resources) if isinstance(resources, Mapping) else resources


def _no_asset_key(what: str) -> DagsterInvariantViolationError:
    return DagsterInvariantViolationError(
        f"Attempting to access asset_key, but it was not provided when constructing the {what}"
    )


def _no_partition(what: str) -> DagsterInvariantViolationError:
    return DagsterInvariantViolationError(f"Cannot access partition_key for a non-partitioned {what}")


class _IOContext:
    """What `OutputContext` and `InputContext` share: asset key, resources, log, and Dagster's
    answers for an unpartitioned run."""

    _asset_key: AssetKey | None
    _log: Any
    _resources: Any
    _partition_keys: list[str] | None = None
    """The asset partitions stored or loaded (set by the run for a partitioned asset)."""
    _partitions_def: Any = None

    def _fill(
        self,
        step_key: str | None,
        name: str | None,
        run_id: str | None,
        asset_key: AssetKey | None,
        definition_metadata: dict[str, Any] | None,
        dagster_type: Any,
        log: Any,
        resources: Any,
        resource_config: dict[str, Any] | None,
    ) -> None:
        """The attributes both contexts take, as Dagster's keyword constructors give them."""
        self.step_key = step_key
        self.name = name
        self.run_id = run_id
        self._asset_key = asset_key
        self.definition_metadata = dict(definition_metadata or {})
        self.dagster_type = dagster_type
        self._log = log
        self._resources = resources
        self.resource_config = resource_config

    @property
    def resources(self) -> Any:
        """The run's resources by attribute (`context.resources.warehouse`)."""
        return _namespace(self._resources)

    @property
    def has_asset_key(self) -> bool:
        return self._asset_key is not None

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is None:
            raise _no_asset_key(type(self).__name__)
        return self._asset_key

    def get_asset_identifier(self) -> list[str]:
        return list(self.asset_key.path)

    @property
    def log(self) -> Any:
        return self._log if self._log is not None else logging.getLogger("dagdeck")

    @property
    def has_partition_key(self) -> bool:
        return self._partition_keys is not None and len(self._partition_keys) == 1

    @property
    def partition_key(self) -> str:
        if self._partition_keys is None:
            raise _no_partition(type(self).__name__)
        if len(self._partition_keys) != 1:
            raise DagsterInvariantViolationError(
                "Cannot access partition_key for a partitioned run with a range of partitions. "
                "Call asset_partition_key_range instead."
            )
        return self._partition_keys[0]

    @property
    def has_asset_partitions(self) -> bool:
        return self._partition_keys is not None

    @property
    def asset_partition_key(self) -> str:
        return self.partition_key

    @property
    def asset_partition_keys(self) -> list[str]:
        if self._partition_keys is None:
            raise DagsterInvariantViolationError(
                "Attempting to access asset_partition_keys, but the asset is not partitioned"
            )
        return list(self._partition_keys)

    @property
    def asset_partition_key_range(self) -> Any:
        from dagdeck.core.defs.partitions.base import PartitionKeyRange

        keys = self.asset_partition_keys
        return PartitionKeyRange(keys[0], keys[-1])

    @property
    def asset_partitions_def(self) -> Any:
        return self._partitions_def

    @property
    def asset_partitions_time_window(self) -> Any:
        from dagdeck.core.defs.partitions.time_window import TimeWindow

        keys = self.asset_partition_keys
        if not keys:
            raise DagsterInvariantViolationError("no asset partitions")
        first = self._partitions_def.time_window_for_partition_key(keys[0])
        last = self._partitions_def.time_window_for_partition_key(keys[-1])
        return TimeWindow(first.start, last.end)


class OutputContext(_IOContext):
    """The output being stored: its step, name, asset key (for an asset) and definition metadata;
    `add_output_metadata` adds to what the asset's materialization records."""

    def __init__(
        self,
        *,
        step_key: str | None = None,
        name: str | None = None,
        run_id: str | None = None,
        asset_key: AssetKey | None = None,
        definition_metadata: dict[str, Any] | None = None,
        dagster_type: Any = None,
        log: Any = None,
        resources: Any = None,
        resource_config: dict[str, Any] | None = None,
        mapping_key: str | None = None,
    ) -> None:
        self._fill(
            step_key,
            name,
            run_id,
            asset_key,
            definition_metadata,
            dagster_type,
            log,
            resources,
            resource_config,
        )
        self.mapping_key = mapping_key
        self._added: dict[str, Any] = {}

    @property
    def metadata(self) -> dict[str, Any]:
        """The output's definition metadata (Dagster's older name for `definition_metadata`)."""
        return self.definition_metadata

    @property
    def version(self) -> str | None:
        return None

    def get_identifier(self) -> list[str]:
        """run id, step key, output name (and mapping key): unique per stored op output."""
        if self.run_id is None or self.step_key is None or self.name is None:
            raise DagsterInvariantViolationError(
                "get_identifier needs run_id, step_key and name; pass them to build_output_context"
            )
        ident = [self.run_id, self.step_key, self.name]
        return [*ident, self.mapping_key] if self.mapping_key else ident

    def add_output_metadata(self, metadata: dict[str, Any]) -> None:
        """Recorded on the asset's materialization (or the op's output event)."""
        self._added.update(metadata)

    def get_logged_metadata(self) -> dict[str, Any]:
        return dict(self._added)

    @property
    def output_metadata(self) -> dict[str, Any]:
        return dict(self._added)


class InputContext(_IOContext):
    """The input being loaded: its name, the upstream output it comes from (`upstream_output`) and,
    when that output is an asset, its key."""

    def __init__(
        self,
        *,
        name: str | None = None,
        step_key: str | None = None,
        upstream_output: OutputContext | None = None,
        asset_key: AssetKey | None = None,
        definition_metadata: dict[str, Any] | None = None,
        dagster_type: Any = None,
        log: Any = None,
        resources: Any = None,
        resource_config: dict[str, Any] | None = None,
        run_id: str | None = None,
    ) -> None:
        self._fill(
            step_key,
            name,
            run_id,
            asset_key,
            definition_metadata,
            dagster_type,
            log,
            resources,
            resource_config,
        )
        self.upstream_output = upstream_output

    @property
    def metadata(self) -> dict[str, Any]:
        return self.definition_metadata

    def get_identifier(self) -> list[str]:
        if self.upstream_output is None:
            raise DagsterInvariantViolationError("InputContext has no upstream_output to identify")
        return self.upstream_output.get_identifier()


def _key(asset_key: Any) -> AssetKey | None:
    return None if asset_key is None else AssetKey.from_coercible(asset_key)


def build_output_context(
    step_key: str | None = None,
    name: str | None = None,
    definition_metadata: dict[str, Any] | None = None,
    run_id: str | None = None,
    mapping_key: str | None = None,
    config: Any = None,
    dagster_type: Any = None,
    version: str | None = None,
    resource_config: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    op_def: Any = None,
    asset_key: Any = None,
    partition_key: str | None = None,
    asset_partitions_def: Any = None,
    asset_partition_key_range: Any = None,
    instance: Any = None,
    asset_spec: Any = None,
    metadata: dict[str, Any] | None = None,
    output_metadata: dict[str, Any] | None = None,
) -> OutputContext:
    """An `OutputContext` for calling an IO manager's `handle_output` in a unit test; an `asset_spec`
    gives the asset key and definition metadata when they are not passed themselves."""
    if partition_key is not None or asset_partitions_def is not None or asset_partition_key_range is not None:
        raise DagsterInvariantViolationError("dagdeck does not support partitions yet")
    if definition_metadata is None:
        definition_metadata = metadata if metadata is not None else getattr(asset_spec, "metadata", None)
    context = OutputContext(
        step_key=step_key,
        name=name,
        run_id=run_id,
        asset_key=_key(asset_key if asset_key is not None else getattr(asset_spec, "key", None)),
        definition_metadata=definition_metadata,
        dagster_type=dagster_type,
        resources=resources,
        resource_config=resource_config,
        mapping_key=mapping_key,
    )
    if output_metadata:
        context.add_output_metadata(output_metadata)
    return context


def build_input_context(
    name: str | None = None,
    config: Any = None,
    definition_metadata: dict[str, Any] | None = None,
    upstream_output: OutputContext | None = None,
    dagster_type: Any = None,
    resource_config: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    op_def: Any = None,
    step_context: Any = None,
    asset_key: Any = None,
    partition_key: str | None = None,
    asset_partition_key_range: Any = None,
    asset_partitions_def: Any = None,
    instance: Any = None,
    metadata: dict[str, Any] | None = None,
) -> InputContext:
    """An `InputContext` for calling an IO manager's `load_input` in a unit test."""
    if partition_key is not None or asset_partitions_def is not None or asset_partition_key_range is not None:
        raise DagsterInvariantViolationError("dagdeck does not support partitions yet")
    return InputContext(
        name=name,
        upstream_output=upstream_output,
        asset_key=_key(asset_key),
        definition_metadata=definition_metadata if definition_metadata is not None else metadata,
        dagster_type=dagster_type,
        resources=resources,
        resource_config=resource_config,
    )


class DagsterExecutionHandleOutputError(Exception):
    """An IO manager's `handle_output` raised; the step fails with this, caused by that error."""


class DagsterExecutionLoadInputError(Exception):
    """An IO manager's (or input manager's) `load_input` raised; the step fails with this."""
