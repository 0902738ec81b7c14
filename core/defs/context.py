"""The `context` a step function receives: run id, logging, events, metadata, cancel flag,
resources, the run and (lazily) the instance, with Dagster's names and errors."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.metadata import MAX_METADATA_BYTES, normalize
from dagdeck.core.defs.partitions.run_partition import StepPartition
from dagdeck.core.defs.results import (
    AssetMaterialization,
    AssetObservation,
    DagsterInvariantViolationError,
    ExpectationResult,
)
from dagdeck.core.events import EventType, make_event

NOT_PARTITIONED = "Cannot access partition_key for a non-partitioned run"


class DagsterInvalidPropertyError(Exception):
    """A context property that this kind of step does not have (`context.asset_key` in an op)."""


@dataclass(frozen=True)
class RunInfo:
    """`context.run`: the run a step belongs to (Dagster's DagsterRun, the fields steps read)."""

    run_id: str
    job_name: str
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def pipeline_name(self) -> str:
        return self.job_name


@dataclass(frozen=True)
class OpInfo:
    """`context.op` / `context.op_def`: the name (and tags) of the op the step runs."""

    name: str
    tags: Mapping[str, Any] = field(default_factory=dict)


class StepLog:
    """`context.log`: each call becomes a LOG event in the run's event log."""

    def __init__(self, emit: Callable[[dict[str, Any]], None], run_id: str, step_key: str) -> None:
        self._emit, self._run_id, self._step_key = emit, run_id, step_key

    def _log(self, level: str, msg: Any, *args: Any, exc_info: Any = None, **_kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        if exc_info:
            text = f"{text}\n{traceback.format_exc().rstrip()}"
        self._emit(make_event(EventType.LOG, self._run_id, step_key=self._step_key, level=level, message=text))

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._log("DEBUG", msg, *args, **kwargs)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._log("INFO", msg, *args, **kwargs)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._log("WARNING", msg, *args, **kwargs)

    warn = warning

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._log("ERROR", msg, *args, **kwargs)

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._log("CRITICAL", msg, *args, **kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._log("ERROR", msg, *args, **{"exc_info": True, **kwargs})

    def log(self, level: int | str, msg: Any, *args: Any, **kwargs: Any) -> None:
        name = level if isinstance(level, str) else logging.getLevelName(level)
        self._log(str(name).upper(), msg, *args, **kwargs)


class StepContext:
    """What Dagster calls AssetExecutionContext / OpExecutionContext."""

    def __init__(
        self,
        *,
        run_id: str,
        step_key: str,
        job_name: str,
        emit: Callable[[dict[str, Any]], None],
        cancel_event: threading.Event,
        resources: dict[str, Any],
        asset_key: AssetKey | None = None,
        op_name: str | None = None,
        op_config: Any = None,
        retry_number: int = 0,
        run_tags: dict[str, str] | None = None,
        output_asset_keys: dict[str, AssetKey] | None = None,
        op_tags: Mapping[str, Any] | None = None,
        instance_factory: Callable[[], Any] | None = None,
        metadata_max_bytes: int = MAX_METADATA_BYTES,
        mapping_key: str | None = None,
        output_names: Iterable[str] | None = None,
        check_keys: Iterable[Any] = (),
        partition: StepPartition | None = None,
    ) -> None:
        self.run_id = run_id
        self._partition = partition
        self._check_keys = check_keys
        self._mapping_key = mapping_key
        self._output_names = output_names
        self.step_key = step_key
        self.job_name = job_name
        self.op_config = op_config
        self.retry_number = retry_number
        self.run_tags = dict(run_tags or {})
        self.log = StepLog(emit, run_id, step_key)
        self.resources = SimpleNamespace(**resources)
        self._asset_key = asset_key
        self._output_asset_keys = output_asset_keys
        self._op_name = op_name or step_key
        self._cancel = cancel_event
        self._emit = emit
        self._op_tags = op_tags
        self._instance_factory = instance_factory
        self._instance: Any = None
        self._metadata_max_bytes = metadata_max_bytes
        self.output_metadata: dict[str, dict[str, Any]] = {}

    def get_mapping_key(self) -> str | None:
        """The mapping key of this mapped step (`op[key]`), None outside `.map()` (Dagster's)."""
        return self._mapping_key

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is None and self._output_asset_keys and len(self._output_asset_keys) > 1:
            raise DagsterInvariantViolationError(
                "Cannot call `context.asset_key` in a multi_asset with more than one asset. "
                "Use `context.asset_key_for_output` instead."
            )
        if self._asset_key is None:
            raise DagsterInvalidPropertyError(f"Op '{self._op_name}' does not have an assets definition.")
        return self._asset_key

    @property
    def run(self) -> RunInfo:
        return RunInfo(self.run_id, self.job_name, dict(self.run_tags))

    @property
    def dagster_run(self) -> RunInfo:
        return self.run

    @property
    def op(self) -> OpInfo:
        return OpInfo(self._op_name, dict(self._op_tags or {}))

    @property
    def op_def(self) -> OpInfo:
        return self.op

    @property
    def instance(self) -> Any:
        """The instance's read methods Dagster examples use (`get_latest_materialization_event`,
        `get_asset_records`), opened on first use: steps that never ask pay nothing."""
        if self._instance is None:
            if self._instance_factory is None:
                raise DagsterInvariantViolationError("this context has no instance (it was built outside a run)")
            self._instance = self._instance_factory()
        return self._instance

    # -- partitions: the run's partition (key or range) read through the asset's partitions def
    @property
    def has_partition_key(self) -> bool:
        return self._partition is not None and self._partition.run.single is not None

    @property
    def has_partition_key_range(self) -> bool:
        return self._partition is not None and self._partition.run.single is None

    def _run_partition(self) -> StepPartition:
        if self._partition is None:
            raise DagsterInvariantViolationError(NOT_PARTITIONED)
        return self._partition

    @property
    def partition_key(self) -> str:
        return self._run_partition().key

    @property
    def partition_keys(self) -> list[str]:
        return list(self._run_partition().keys)

    @property
    def partition_key_range(self) -> Any:
        return self._run_partition().key_range

    @property
    def partition_time_window(self) -> Any:
        if self._partition is None:
            raise DagsterInvariantViolationError("Partitions definition is not defined")
        return self._partition.time_window

    @property
    def asset_partition_key_range(self) -> Any:
        return self.partition_key_range

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        if self._partition is None:
            raise DagsterInvariantViolationError("Failure condition: The output has no asset partitions")
        return self._partition.key

    def asset_partition_keys_for_output(self, output_name: str = "result") -> list[str]:
        if self._partition is None:
            raise DagsterInvariantViolationError(
                f"Attempting to access partitions def for asset {self.asset_key!r}, but it is not partitioned"
            )
        return list(self._partition.keys)

    def asset_partition_key_range_for_output(self, output_name: str = "result") -> Any:
        return self._run_partition().key_range

    def asset_partitions_time_window_for_output(self, output_name: str = "result") -> Any:
        return self.partition_time_window

    @property
    def partitions_def(self) -> Any:
        return self._partition.partitions_def if self._partition is not None else None

    # -- events ------------------------------------------------------------------------------------
    def log_event(self, event: AssetMaterialization | AssetObservation | ExpectationResult) -> None:
        """Record an AssetMaterialization, AssetObservation or ExpectationResult in the run's event log
        now (a yielded one is recorded the same way)."""
        if isinstance(event, ExpectationResult):
            verdict = "passed" if event.success else "failed"
            message = event.description or f"Expectation {event.label or ''} {verdict}".replace("  ", " ")
            # also a line of the step's stderr, as Dagster's console log writes it: `runs logs` shows it
            print(f"{self.step_key} - STEP_EXPECTATION_RESULT - {message}", file=sys.stderr)
            self._emit(
                make_event(
                    EventType.STEP_EXPECTATION_RESULT,
                    self.run_id,
                    step_key=self.step_key,
                    message=message,
                    level="INFO" if event.success else "WARNING",
                    label=event.label,
                    success=bool(event.success),
                    description=event.description,
                    metadata=normalize(event.metadata, self._metadata_max_bytes),
                )
            )
            return
        if not isinstance(event, AssetMaterialization | AssetObservation):
            raise DagsterInvariantViolationError(
                f"context.log_event takes an AssetMaterialization, AssetObservation or ExpectationResult, "
                f"not {type(event).__name__}"
            )
        akey = event.asset_key.to_user_string()
        materialized = isinstance(event, AssetMaterialization)
        self._emit(
            make_event(
                EventType.ASSET_MATERIALIZATION if materialized else EventType.ASSET_OBSERVATION,
                self.run_id,
                step_key=self.step_key,
                asset_key=akey,
                message=event.description or (f"Materialized value {akey}." if materialized else f"Observed {akey}."),
                metadata=normalize(event.metadata, self._metadata_max_bytes),
                description=event.description,
                partition=event.partition,
                tags=dict(event.tags),
            )
        )

    @property
    def has_asset_key(self) -> bool:
        return self._asset_key is not None

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        """The asset key an output of this step materializes (multi-assets: one per output)."""
        if self._output_asset_keys is not None and output_name in self._output_asset_keys:
            return self._output_asset_keys[output_name]
        if self._asset_key is not None and output_name == "result":
            return self._asset_key
        raise DagsterInvariantViolationError(f"Failure condition: Output '{output_name}' has no asset")  # Dagster's

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        """The asset keys this step materializes in this run (a subset for `can_subset` multi-assets)."""
        if self._output_asset_keys is not None:
            return set(self._output_asset_keys.values())
        return {self._asset_key} if self._asset_key is not None else set()

    @property
    def selected_asset_check_keys(self) -> set[Any]:
        """The `AssetCheckKey`s this step evaluates in this run (its selected assets' check_specs)."""
        return set(self._check_keys)

    @property
    def selected_output_names(self) -> set[str]:
        """The outputs this step produces in this run: all of an op's (a subset for `can_subset`
        multi-assets, and for a subset graph-backed asset's ops, those the selected assets need)."""
        if self._output_names:
            return set(self._output_names)
        if self._output_asset_keys is not None:
            return set(self._output_asset_keys)
        return {"result"}

    @property
    def op_name(self) -> str:
        return self._op_name

    def add_output_metadata(self, metadata: dict[str, Any], output_name: str | None = None) -> None:
        self.output_metadata.setdefault(output_name or "result", {}).update(metadata)

    def add_asset_metadata(self, metadata: dict[str, Any], asset_key: Any = None, partition_key: Any = None) -> None:
        """Metadata for the materialization of this step's asset (`asset_key` picks one of a
        multi-asset's); an op has no assets, so it has no such method in Dagster either."""
        if self._asset_key is None and self._output_asset_keys is None:
            raise AttributeError("'OpExecutionContext' object has no attribute 'add_asset_metadata'")
        keys = self._output_asset_keys or {"result": self._asset_key}
        if asset_key is None and len(keys) == 1:
            output = next(iter(keys))
        else:
            wanted = AssetKey.from_coercible(asset_key) if asset_key is not None else None
            found = [name for name, key in keys.items() if key == wanted]
            if not found:
                raise DagsterInvariantViolationError(
                    f"Asset key {wanted!r} is not one of this step's assets; pass asset_key= one of "
                    + ", ".join(k.to_user_string() for k in keys.values() if k is not None)
                )
            output = found[0]
        self.add_output_metadata(metadata, output)

    def has_tag(self, key: str) -> bool:
        """Whether the run has tag `key`."""
        return key in self.run_tags

    def get_tag(self, key: str) -> str | None:
        """The run's tag `key`, None without it."""
        return self.run_tags.get(key)

    @property
    def op_execution_context(self) -> StepContext:
        """An asset's op-level context: the same object here."""
        return self

    def is_canceled(self) -> bool:
        """True once someone asked to cancel this run: long loops should check it and return."""
        return self._cancel.is_set()


AssetExecutionContext = StepContext
OpExecutionContext = StepContext
