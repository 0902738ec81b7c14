"""Hooks: functions that run right after a step's outcome, for alerts and bookkeeping.

`@success_hook` runs after a step succeeds, `@failure_hook` after it finally fails (not between
retries). They are attached per op (`my_op.with_hooks({...})`), per asset (`@asset(hooks=...)`) or
per job (`@job(hooks=...)`, `define_asset_job(hooks=...)`). A hook that raises is recorded in the
event log and never changes the step's or the run's outcome.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.context import StepLog
from dagdeck.core.errors import DefinitionError, where_defined


class HookTrigger(enum.Enum):
    """Which step outcome runs the hook."""

    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True, eq=False)
class HookDefinition:
    name: str
    fn: Callable[[Any], Any]
    trigger: HookTrigger
    required_resource_keys: frozenset[str] = frozenset()

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __call__(self, context_or_job: Any) -> Any:
        """`my_hook(job)` returns the job with this hook added (Dagster's decorator form);
        `my_hook(context)` calls the hook function, e.g. from a unit test."""
        if hasattr(context_or_job, "with_hooks") and not isinstance(context_or_job, HookContext):
            return context_or_job.with_hooks({self})
        return self.fn(context_or_job)

    def __repr__(self) -> str:
        return f"<{self.trigger.value}_hook {self.name}>"


@dataclass(frozen=True)
class HookOp:
    """`context.op`: the op (or asset's op) the hook runs for."""

    name: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass
class HookContext:
    """The `context` a hook function receives."""

    hook_def: HookDefinition
    run_id: str
    job_name: str
    step_key: str
    op: HookOp
    log: StepLog
    resources: SimpleNamespace
    op_config: Any = None
    op_exception: BaseException | None = None
    """The exception that failed the step (failure hooks); None after a success."""
    op_output_values: dict[str, Any] = field(default_factory=dict)
    """Output name -> value the step returned (success hooks)."""

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.hook_def.required_resource_keys


def success_hook(
    hook_fn: Callable[[Any], Any] | str | None = None,
    *,
    name: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> Any:
    """`@success_hook` or `@success_hook(name=..., required_resource_keys={...})`."""
    return _hook_decorator(HookTrigger.SUCCESS, hook_fn, name, required_resource_keys)


def failure_hook(
    name: Callable[[Any], Any] | str | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> Any:
    """`@failure_hook` or `@failure_hook(name=..., required_resource_keys={...})`."""
    return _hook_decorator(HookTrigger.FAILURE, name, None, required_resource_keys)


def _hook_decorator(
    trigger: HookTrigger,
    fn_or_name: Callable[[Any], Any] | str | None,
    name: str | None,
    required_resource_keys: Iterable[str] | None,
) -> Any:
    if isinstance(fn_or_name, str):
        name, fn_or_name = fn_or_name, None
    keys = frozenset(required_resource_keys or ())

    def build(fn: Callable[[Any], Any]) -> HookDefinition:
        if not callable(fn) or not _takes_one_argument(fn):
            raise DefinitionError.at(
                fn if callable(fn) else None,
                f"a {trigger.value} hook must be a function of one argument (the hook context)",
                obj=f"hook {getattr(fn, '__name__', fn)!r}",
                fix="def my_hook(context: HookContext): ...",
            )
        return HookDefinition(name or fn.__name__, fn, trigger, keys)

    return build(fn_or_name) if fn_or_name is not None else build


def _takes_one_argument(fn: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 1 or any(p.kind is p.VAR_POSITIONAL for p in params)


NO_HOOKS: frozenset[HookDefinition] = frozenset()


def hook_set(
    hooks: Iterable[Any] | None, owner: str, fn: Callable[..., Any] | None = None
) -> frozenset[HookDefinition]:
    """Validate the `hooks=` of a job, op or asset: each must be a `@success_hook`/`@failure_hook`."""
    if not hooks:
        return NO_HOOKS
    out = frozenset(hooks)
    for hook in out:
        if not isinstance(hook, HookDefinition):
            raise DefinitionError.at(
                fn,
                f"hooks= holds {hook!r}, which is not a hook",
                obj=owner,
                fix="decorate the function with @success_hook or @failure_hook",
            )
    return out
