"""The `context` a step function receives: run id, logging, metadata, cancel flag, resources."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.events import EventType, make_event


class StepLog:
    """`context.log`: each call becomes a LOG event in the run's event log."""

    def __init__(self, emit: Callable[[dict[str, Any]], None], run_id: str, step_key: str) -> None:
        self._emit, self._run_id, self._step_key = emit, run_id, step_key

    def _log(self, level: str, msg: Any, *args: Any) -> None:
        text = str(msg) % args if args else str(msg)
        self._emit(make_event(EventType.LOG, self._run_id, step_key=self._step_key, level=level, message=text))

    def debug(self, msg: Any, *args: Any) -> None:
        self._log("DEBUG", msg, *args)

    def info(self, msg: Any, *args: Any) -> None:
        self._log("INFO", msg, *args)

    def warning(self, msg: Any, *args: Any) -> None:
        self._log("WARNING", msg, *args)

    warn = warning

    def error(self, msg: Any, *args: Any) -> None:
        self._log("ERROR", msg, *args)

    def exception(self, msg: Any, *args: Any) -> None:
        self._log("ERROR", msg, *args)


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
    ) -> None:
        self.run_id = run_id
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
        self.output_metadata: dict[str, dict[str, Any]] = {}

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is None:
            raise AttributeError(f"step {self.step_key!r} is an op, not an asset")
        return self._asset_key

    @property
    def has_asset_key(self) -> bool:
        return self._asset_key is not None

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        """The asset keys this step materializes in this run (a subset for `can_subset` multi-assets)."""
        if self._output_asset_keys is not None:
            return set(self._output_asset_keys.values())
        return {self._asset_key} if self._asset_key is not None else set()

    @property
    def selected_output_names(self) -> set[str]:
        """The outputs this step produces in this run (a subset for `can_subset` multi-assets)."""
        if self._output_asset_keys is not None:
            return set(self._output_asset_keys)
        return {"result"}

    @property
    def op_name(self) -> str:
        return self._op_name

    def add_output_metadata(self, metadata: dict[str, Any], output_name: str | None = None) -> None:
        self.output_metadata.setdefault(output_name or "result", {}).update(metadata)

    def is_canceled(self) -> bool:
        """True once someone asked to cancel this run: long loops should check it and return."""
        return self._cancel.is_set()


AssetExecutionContext = StepContext
OpExecutionContext = StepContext
