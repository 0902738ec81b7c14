"""`@graph` and `@job`: ops composed by calling them inside a function."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from dagdeck.core.defs.asset_key import FIX, NAME_RE, name_problem
from dagdeck.core.defs.config_mapping import ConfigMapping, graph_config_mapping, job_config_parts
from dagdeck.core.defs.graph_dependencies import dependency_body
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.in_process import execute_job_in_process
from dagdeck.core.defs.job_definitions import JobDefinition, check_node_name, graph_outputs, top_level_inputs
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.defs.tracing import (
    DynamicHandle,
    Node,
    OutputHandle,
    current_builder,
    named_outputs,
    trace_graph,
)
from dagdeck.core.errors import DefinitionError


@dataclass(frozen=True)
class GraphIn:
    """An input of a `@graph(ins={...})`; the body's parameters are the inputs, this describes one."""

    description: str | None = None


@dataclass(frozen=True)
class GraphOut:
    """One named output of a `@graph(out={...})`: which op output it is comes from the body's return."""

    description: str | None = None


@dataclass(eq=False)
class GraphDefinition:
    name: str
    fn: Callable[..., Any] = None  # type: ignore[assignment]  # None: built from node_defs/dependencies
    description: str | None = None
    out: dict[str, GraphOut] | None = None
    """Named outputs; None: one output, `result`, if the body returns an op's output."""
    config_mapping: ConfigMapping | None = None
    """`@graph(config=...)`: the graph's outer config, mapped onto its ops' config."""
    node_defs: Sequence[Any] | None = None
    """`GraphDefinition(name=, node_defs=[...], dependencies={...})`: Dagster's constructor form."""
    dependencies: Mapping[Any, Mapping[str, Any]] | None = None
    tags: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.fn is None:  # the constructor form: its body calls node_defs as dependencies wire them
            caller = sys._getframe(2)  # __post_init__ <- the dataclass __init__ <- the user's call
            self.fn = dependency_body(
                self.name,
                self.node_defs or [],
                self.dependencies or {},
                (caller.f_code.co_filename, caller.f_lineno),
            )
        check_node_name("graph", self.name, self.fn)
        for out_name in self.out or {}:
            problem = name_problem(out_name, NAME_RE)
            if problem:
                raise DefinitionError.at(
                    self.fn,
                    f"graph output name {problem}",
                    obj=f"graph {self.name!r}",
                    fix=FIX[NAME_RE],
                )

    @property
    def output_names(self) -> list[str]:
        return list(self.out) if self.out else ["result"]

    @property
    def input_names(self) -> list[str]:
        return list(inspect.signature(self.fn).parameters)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call_as(self.name, args, kwargs)

    def alias(self, name: str) -> AliasedGraph:
        check_node_name("graph alias", name, self.fn)
        return AliasedGraph(self, name)

    def _call_as(self, node_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        builder = current_builder()
        if builder is None:
            raise DefinitionError(
                f"graph {self.name!r} was called outside a graph or job body",
                obj=self.name,
                fix="call it inside @job/@graph, or build a job with to_job() and run that",
            )
        with builder.nested(node_name):
            if self.config_mapping is not None:
                builder.config_mappings[".".join(builder.prefix)] = self.config_mapping
            returned = self.fn(*args, **kwargs)
        if not self.out or len(self.out) == 1:
            if isinstance(returned, dict) and self.out:
                return returned.get(next(iter(self.out)))
            return returned
        outputs = self.outputs_of(returned)
        return named_outputs(self.name, list(outputs), list(outputs.values()))

    def outputs_of(self, returned: Any) -> dict[str, Any]:
        """The body's return value as {output name: handle}, checked against `out`."""
        names = self.output_names
        if len(names) == 1:
            value = returned.get(names[0]) if isinstance(returned, dict) else returned
            return {names[0]: value} if value is not None else {}
        if isinstance(returned, dict):
            unknown = sorted(set(returned) - set(names))
            values = {n: returned[n] for n in names if n in returned}
        elif isinstance(returned, tuple) and len(returned) == len(names):
            unknown, values = [], dict(zip(names, returned, strict=True))
        else:
            unknown, values = ["?"], {}
        missing = [n for n in names if n not in values]
        if unknown or missing:
            raise DefinitionError.at(
                self.fn,
                f"graph {self.name!r} declares outputs {', '.join(names)} but its body returned {returned!r}",
                obj=f"graph {self.name!r}",
                fix=f"return a dict with the keys {', '.join(names)} or a tuple of {len(names)} op outputs",
            )
        for n, v in values.items():
            if not isinstance(v, OutputHandle | DynamicHandle):
                raise DefinitionError.at(
                    self.fn,
                    f"output {n!r} of graph {self.name!r} is {v!r}, not an op's output",
                    obj=f"graph {self.name!r}",
                    fix="return the result of calling an op inside the graph",
                )
        return values

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        input_values: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run the graph as a job in this process (for tests); `output_value()` reads its outputs."""
        job = self.to_job(input_values=input_values)
        outputs = graph_outputs(self.name, self.fn)
        if self.out and len(self.output_names) > 1:
            returned = trace_graph(
                self.name, self.fn, inputs=list(inspect.signature(self.fn).parameters)
            ).returned
            outputs = {n: (h.node, h.output) for n, h in self.outputs_of(returned).items()}
        return execute_job_in_process(
            job,
            run_config=run_config,
            instance=instance,
            resources=resources,
            raise_on_error=raise_on_error,
            op_selection=op_selection,
            graph_outputs=outputs,
        )

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
        logger_defs: Mapping[str, Any] | None = None,
        partitions_def: Any = None,
        input_values: Mapping[str, Any] | None = None,
    ) -> JobDefinition:
        values = top_level_inputs(self.fn, name or self.name, input_values)
        traced = trace_graph(name or self.name, self.fn, inputs=list(inspect.signature(self.fn).parameters))
        partitioned = config if hasattr(config, "get_run_config_for_partition_key") else None
        default_config, config_mapping = job_config_parts(None if partitioned is not None else config)
        return JobDefinition(
            partitions_def=partitions_def or getattr(partitioned, "partitions_def", None),
            partitioned_config=partitioned,
            config_mapping=config_mapping,
            graph_config_mappings=traced.config_mappings,
            name=name or self.name,
            fn=self.fn,
            nodes=traced.nodes,
            description=description or self.description,
            tags=dict(tags or {}),
            default_config=default_config,
            executor=executor_def,
            resources=dict(resource_defs or {}),
            metadata=dict(metadata or {}),
            hooks=hook_set(hooks, f"job {name or self.name!r}", self.fn),
            op_retry_policy=op_retry_policy,
            logger_defs=dict(logger_defs or {}),
            input_values=values,
        )


@dataclass(frozen=True)
class GraphBacking:
    """The ops behind a graph-backed asset: the graph's traced nodes (named `graph.op`, Dagster's
    step keys) and the node output behind each graph output."""

    graph: GraphDefinition
    nodes: dict[str, Node]
    outputs: dict[str, OutputHandle]

    @classmethod
    def trace(cls, graph_def: GraphDefinition, owner: str, needed: Sequence[str]) -> GraphBacking:
        """Trace the graph's body; each of the `needed` outputs must be one op output."""
        traced = trace_graph(owner, graph_def.fn, graph_def.input_names, prefix=(graph_def.name,))
        outputs = graph_def.outputs_of(traced.returned)
        missing = [o for o in needed if o not in outputs]
        if missing:
            raise DefinitionError.at(
                graph_def.fn,
                f"graph {graph_def.name!r} returns no op output for asset output(s) {', '.join(missing)}",
                obj=owner,
                fix="return the output of an op called in the graph (a dict of them for several assets)",
            )
        for name, handle in outputs.items():
            if not isinstance(handle, OutputHandle) or handle.origin is not None:
                raise DefinitionError.at(
                    graph_def.fn,
                    f"output {name!r} of graph {graph_def.name!r} is a dynamic output; an asset needs one value",
                    obj=owner,
                    fix="collect() the dynamic output in an op and return that op's output",
                )
        return cls(graph_def, traced.nodes, outputs)


@dataclass
class AliasedGraph:
    """`my_graph.alias("other")(...)` inside a graph: the same graph under another node name."""

    graph: GraphDefinition
    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.graph._call_as(self.name, args, kwargs)


_job_fields_init = JobDefinition.__init__
_GRAPH_JOB_KEYWORDS = {"hook_defs": "hooks"}
"""`JobDefinition(graph_def=...)` keywords whose `to_job` parameter has another name."""
_GRAPH_JOB_ACCEPTED = (
    "name",
    "description",
    "tags",
    "config",
    "executor_def",
    "resource_defs",
    "metadata",
    "hook_defs",
    "op_retry_policy",
    "logger_defs",
)


def _job_init(
    self: JobDefinition, *args: Any, graph_def: GraphDefinition | None = None, **kwargs: Any
) -> None:
    """`JobDefinition(graph_def=g, ...)`, Dagster's constructor, is `g.to_job(...)`; any other call
    fills the fields as the dataclass does."""
    if graph_def is None:
        _job_fields_init(self, *args, **kwargs)
        return
    unknown = [k for k in kwargs if k not in _GRAPH_JOB_ACCEPTED] + (["positional arguments"] if args else [])
    if unknown or not isinstance(graph_def, GraphDefinition):
        raise DefinitionError(
            f"dagdeck does not support {', '.join(unknown) or f'graph_def={graph_def!r}'} on JobDefinition(graph_def=) yet",
            obj="JobDefinition",
            fix=f"give a @graph or GraphDefinition and only {', '.join(_GRAPH_JOB_ACCEPTED)}",
        )
    built = graph_def.to_job(**{_GRAPH_JOB_KEYWORDS.get(k, k): v for k, v in kwargs.items()})
    _job_fields_init(self, **{f.name: getattr(built, f.name) for f in fields(JobDefinition)})


JobDefinition.__init__ = _job_init  # type: ignore[method-assign]


def graph(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    out: GraphOut | Mapping[str, GraphOut] | None = None,
    config: Any = None,
    ins: Mapping[str, GraphIn] | None = None,
    tags: Mapping[str, Any] | None = None,
) -> Any:
    """Declare a graph; `out={"a": GraphOut(), ...}` names several outputs (return a dict or tuple).
    `ins` (descriptions of the inputs) and `tags` are accepted as Dagster takes them."""

    def build(f: Callable[..., Any]) -> GraphDefinition:
        outs = dict(out) if isinstance(out, Mapping) else None
        return GraphDefinition(
            name=name or f.__name__,
            fn=f,
            description=description or (f.__doc__ or "").strip() or None,
            out=outs,
            config_mapping=graph_config_mapping(config),
        )

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
    logger_defs: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    input_values: Mapping[str, Any] | None = None,
) -> Any:
    def build(f: Callable[..., Any]) -> JobDefinition:
        check_node_name("job", name or f.__name__, f)
        g = GraphDefinition(
            name=name or f.__name__, fn=f, description=description or (f.__doc__ or "").strip() or None
        )
        return g.to_job(
            tags=tags,
            config=config,
            executor_def=executor_def,
            resource_defs=resource_defs,
            metadata=metadata,
            hooks=hooks,
            op_retry_policy=op_retry_policy,
            logger_defs=logger_defs,
            partitions_def=partitions_def,
            input_values=input_values,
        )

    return build(fn) if fn is not None else build
