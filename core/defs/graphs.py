"""`@graph` and `@job`: ops composed by calling them inside a function."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dagdeck.core.defs.asset_key import FIX, NAME_RE, name_problem
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.ops import Node, current_builder, trace
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.errors import DefinitionError, where_defined


def _check_name(kind: str, name: str, fn: Callable[..., Any]) -> None:
    """Graph and job names become parts of step keys and storage paths: Dagster's name rule."""
    problem = name_problem(name, NAME_RE)
    if problem:
        file, line = where_defined(fn)
        raise DefinitionError(f"{kind} name {problem}", file=file, line=line, obj=f"{kind} {name!r}", fix=FIX[NAME_RE])


@dataclass(eq=False)
class GraphDefinition:
    name: str
    fn: Callable[..., Any]
    description: str | None = None

    def __post_init__(self) -> None:
        _check_name("graph", self.name, self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = current_builder()
        if builder is None:
            raise DefinitionError(
                f"graph {self.name!r} was called outside a graph or job body",
                obj=self.name,
                fix="call it inside @job/@graph, or build a job with to_job() and run that",
            )
        with builder.nested(self.name):
            return self.fn(*args, **kwargs)

    def to_job(
        self,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        config: Mapping[str, Any] | None = None,
        executor_def: Any = None,
        resource_defs: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        hooks: Iterable[HookDefinition] | None = None,
        op_retry_policy: RetryPolicy | None = None,
    ) -> JobDefinition:
        if inspect.signature(self.fn).parameters:
            file, line = where_defined(self.fn)
            raise DefinitionError(
                f"graph {self.name!r} has inputs, so it cannot be a job on its own",
                file=file,
                line=line,
                obj=self.name,
                fix="nest it inside another graph that wires its inputs",
            )
        return JobDefinition(
            name=name or self.name,
            fn=self.fn,
            nodes=trace(name or self.name, self.fn),
            description=description or self.description,
            tags=dict(tags or {}),
            default_config=dict(config or {}),
            executor=executor_def,
            resources=dict(resource_defs or {}),
            metadata=dict(metadata or {}),
            hooks=hook_set(hooks, f"job {name or self.name!r}", self.fn),
            op_retry_policy=op_retry_policy,
        )


@dataclass(eq=False)
class JobDefinition:
    """A job of ops; its nodes are known once the body is traced at definition time."""

    name: str
    fn: Callable[..., Any]
    nodes: dict[str, Node]
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    default_config: dict[str, Any] = field(default_factory=dict)
    executor: Any = None
    resources: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[HookDefinition] = frozenset()
    """Run after every op step of the job, besides the op's own hooks."""
    op_retry_policy: RetryPolicy | None = None
    """Retries every op that has no retry policy of its own."""

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __post_init__(self) -> None:
        _check_name("job", self.name, self.fn)

    def with_hooks(self, hook_defs: Iterable[HookDefinition]) -> JobDefinition:
        """This job with `hook_defs` added to its job-wide hooks."""
        return replace(self, hooks=self.hooks | hook_set(hook_defs, f"job {self.name!r}", self.fn))

    def __repr__(self) -> str:
        return f"<job {self.name}>"


def graph(fn: Callable[..., Any] | None = None, *, name: str | None = None, description: str | None = None) -> Any:
    def build(f: Callable[..., Any]) -> GraphDefinition:
        return GraphDefinition(name=name or f.__name__, fn=f, description=description or (f.__doc__ or "").strip() or None)

    return build(fn) if fn is not None else build


def job(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
    executor_def: Any = None,
    resource_defs: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    hooks: Iterable[HookDefinition] | None = None,
    op_retry_policy: RetryPolicy | None = None,
) -> Any:
    def build(f: Callable[..., Any]) -> JobDefinition:
        _check_name("job", name or f.__name__, f)
        g = GraphDefinition(name=name or f.__name__, fn=f, description=description or (f.__doc__ or "").strip() or None)
        return g.to_job(
            tags=tags,
            config=config,
            executor_def=executor_def,
            resource_defs=resource_defs,
            metadata=metadata,
            hooks=hooks,
            op_retry_policy=op_retry_policy,
        )

    return build(fn) if fn is not None else build
