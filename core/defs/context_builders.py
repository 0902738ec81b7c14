"""Contexts for calling an op, asset or hook function directly in a unit test, with Dagster's
builders: `build_op_context`, `build_asset_context`, `build_hook_context`.

The context is the one a run gives a step, with its events kept in a list instead of the store
(`context.log` and `context.log_event` work; nothing is recorded).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.context import StepContext, StepLog
from dagdeck.core.defs.hooks import HookContext, HookDefinition, HookOp, HookTrigger
from dagdeck.core.defs.resources import (
    ConfigurableResource,
    ConfigurableResourceFactory,
    InitResourceContext,
    ResourceDefinition,
)
from dagdeck.core.defs.results import DagsterInvariantViolationError

EPHEMERAL_RUN_ID = "EPHEMERAL"
"""The run id of a built context (Dagster's)."""


class BuiltContext(StepContext):
    """A step context outside any run; also a context manager, as Dagster's builders return."""

    events: list[dict[str, Any]]
    _partition_key: str | None = None
    _teardown: contextlib.ExitStack | None = None

    def __enter__(self) -> BuiltContext:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._teardown is not None:
            self._teardown.close()

    @property
    def has_partition_key(self) -> bool:
        return self._partition_key is not None

    @property
    def partition_key(self) -> str:
        if self._partition_key is None:
            return super().partition_key
        return self._partition_key

    @property
    def partition_keys(self) -> list[str]:
        return [self.partition_key]


def _build(
    *,
    resources: Mapping[str, Any] | None,
    config: Any,
    instance: Any,
    partition_key: str | None,
    run_tags: Mapping[str, str] | None,
    asset_key: AssetKey | None = None,
    op_name: str = "ephemeral_op",
    mapping_key: str | None = None,
) -> BuiltContext:
    events: list[dict[str, Any]] = []
    teardown = contextlib.ExitStack()
    context = BuiltContext(
        run_id=EPHEMERAL_RUN_ID,
        step_key=op_name,
        job_name="ephemeral_job",
        emit=events.append,
        cancel_event=threading.Event(),
        resources=init_resources(resources, instance, teardown),
        asset_key=asset_key,
        op_name=op_name,
        op_config=config,
        run_tags=dict(run_tags or {}),
        instance_factory=(lambda: instance) if instance is not None else None,
        mapping_key=mapping_key,
    )
    context.events = events
    context._partition_key = partition_key
    context._teardown = teardown
    return context


def init_resources(
    resources: Mapping[str, Any] | None, instance: Any, teardown: contextlib.ExitStack
) -> dict[str, Any]:
    """What steps receive for each given resource, as a run gives it: a `@resource`'s value, a
    factory's product, a ConfigurableResource set up (torn down with `teardown`); others as given."""
    out: dict[str, Any] = {}
    for key, value in (resources or {}).items():
        init = InitResourceContext(resources=out, run_id=EPHEMERAL_RUN_ID, instance=instance)
        if isinstance(value, ResourceDefinition):
            made = value(init)
            out[key] = (
                teardown.enter_context(made) if isinstance(made, contextlib.AbstractContextManager) else made
            )
        elif isinstance(value, ConfigurableResourceFactory):
            out[key] = value.create_resource(init)
        elif isinstance(value, ConfigurableResource):
            out[key] = teardown.enter_context(contextlib.contextmanager(value.yield_for_execution)(init))
        else:
            out[key] = value
    return out


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    config: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    mapping_key: str | None = None,
    run_tags: Mapping[str, str] | None = None,
    event_loop: Any = None,
) -> BuiltContext:
    """A context to pass to an op called directly: `my_op(build_op_context(op_config={...}))`."""
    if op_config is not None and config is not None:
        raise DagsterInvariantViolationError("Cannot provide both `config` and `op_config`; use `config`")
    return _build(
        resources=resources,
        config=config if config is not None else op_config,
        instance=instance,
        partition_key=partition_key,
        run_tags=run_tags,
        mapping_key=mapping_key,
    )


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    run_tags: Mapping[str, str] | None = None,
    event_loop: Any = None,
) -> BuiltContext:
    """A context to pass to an asset called directly: `my_asset(build_asset_context())`."""
    return _build(
        resources=resources,
        config=asset_config,
        instance=instance,
        partition_key=partition_key,
        run_tags=run_tags,
    )


def build_hook_context(
    resources: Mapping[str, Any] | None = None,
    op: Any = None,
    run_id: str | None = None,
    job_name: str | None = None,
    op_exception: BaseException | None = None,
    instance: Any = None,
    op_output_values: Mapping[str, Any] | None = None,
) -> HookContext:
    """A context to pass to a hook called directly: `my_hook(build_hook_context(...))`."""
    name = getattr(op, "name", None) or "ephemeral_op"
    run = run_id or EPHEMERAL_RUN_ID
    return HookContext(
        hook_def=HookDefinition("ephemeral_hook", lambda _: None, HookTrigger.SUCCESS),
        run_id=run,
        job_name=job_name or "ephemeral_job",
        step_key=name,
        op=HookOp(name, dict(getattr(op, "tags", None) or {})),
        log=StepLog(lambda _: None, run, name),
        resources=SimpleNamespace(**dict(resources or {})),
        op_exception=op_exception,
        op_output_values=dict(op_output_values or {}),
    )
