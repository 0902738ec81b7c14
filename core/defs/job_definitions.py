"""`JobDefinition`: a job of ops traced from a graph body, with its config, resources, hooks and
input values; the checks on graph and job names."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dagdeck.core.defs.asset_key import FIX, NAME_RE, name_problem
from dagdeck.core.defs.config_mapping import ConfigMapping
from dagdeck.core.defs.hooks import HookDefinition, hook_set
from dagdeck.core.defs.in_process import execute_job_in_process
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.defs.tracing import (
    Node,
    OutputHandle,
    trace_graph,
)
from dagdeck.core.errors import DefinitionError, where_defined


def check_node_name(kind: str, name: str, fn: Callable[..., Any]) -> None:
    """Graph and job names become parts of step keys and storage paths: Dagster's name rule."""
    problem = name_problem(name, NAME_RE)
    if problem:
        raise DefinitionError.at(fn, f"{kind} name {problem}", obj=f"{kind} {name!r}", fix=FIX[NAME_RE])


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
    config_mapping: ConfigMapping | None = None
    """`job(config=ConfigMapping(...))`: run config is its outer config."""
    graph_config_mappings: dict[str, ConfigMapping] = field(default_factory=dict)
    """Full name of a nested graph -> its config mapping."""
    logger_defs: dict[str, Any] = field(default_factory=dict)
    """`job(logger_defs=)`: custom loggers of this job's runs (instead of Definitions' loggers)."""
    partitions_def: Any = None
    """`job(partitions_def=)` or the partitions of its `PartitionedConfig`: what its runs target."""
    partitioned_config: Any = None
    """`job(config=daily_partitioned_config(...))`: the run config of each partition."""
    input_values: dict[str, Any] = field(default_factory=dict)
    """`to_job(input_values=)`: the value of each input of the graph it was made from."""

    def run_config_for_partition(self, partition_key: str) -> dict[str, Any]:
        """A partition's run config (its PartitionedConfig's), else the job's default config."""
        if self.partitioned_config is not None:
            return self.partitioned_config.get_run_config_for_partition_key(partition_key)
        return dict(self.default_config)

    @property
    def source(self) -> tuple[str | None, int | None]:
        return where_defined(self.fn)

    def __post_init__(self) -> None:
        check_node_name("job", self.name, self.fn)

    def with_hooks(self, hook_defs: Iterable[HookDefinition]) -> JobDefinition:
        """This job with `hook_defs` added to its job-wide hooks."""
        return replace(self, hooks=self.hooks | hook_set(hook_defs, f"job {self.name!r}", self.fn))

    def __repr__(self) -> str:
        return f"<job {self.name}>"

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        resources: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        input_values: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run the job in this process (for tests): Dagster's `ExecuteInProcessResult`;
        `input_values` replace those the job was made with, input by input."""
        if partition_key is not None and self.partitions_def is not None:
            from dagdeck.core.defs.partitions.base import DagsterUnknownPartitionError

            store = getattr(instance, "store", None)
            if not self.partitions_def.has_partition_key(partition_key, dynamic_partitions_store=store):
                raise DagsterUnknownPartitionError(f"Could not find a partition with key `{partition_key}`.")
        if run_config is None and partition_key is not None and self.partitioned_config is not None:
            run_config = self.run_config_for_partition(partition_key)
        job = self
        if input_values:
            merged = top_level_inputs(self.fn, self.name, {**self.input_values, **input_values})
            job = replace(self, input_values=merged)
        return execute_job_in_process(
            job,
            run_config=run_config,
            instance=instance,
            resources=resources,
            raise_on_error=raise_on_error,
            tags=tags,
            op_selection=op_selection,
            partition_key=partition_key,
            graph_outputs=graph_outputs(self.name, self.fn),
        )


def top_level_inputs(
    fn: Callable[..., Any], job_name: str, input_values: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The values given for the graph's inputs, in parameter order; a value for an input the graph
    does not have is refused (an input without a value is refused when a run is planned)."""
    params = list(inspect.signature(fn).parameters)
    values = dict(input_values or {})
    unknown = [k for k in values if k not in params]
    if unknown:
        raise DefinitionError.at(
            fn,
            f"Input value provided for key {unknown[0]!r}, but job has no top-level input with that name",
            obj=f"job {job_name}",
            fix=f"give input_values for the graph's inputs: {', '.join(params) or 'it has none'}",
        )
    return {p: values[p] for p in params if p in values}


def graph_outputs(name: str, fn: Callable[..., Any]) -> dict[str, tuple[str, str]]:
    """What a job's body returns, as {output name: (node, node output)} (`result.output_value()`)."""
    if fn is None:
        return {}
    returned = trace_graph(name, fn, inputs=list(inspect.signature(fn).parameters)).returned
    if isinstance(returned, OutputHandle):
        return {"result": (returned.node, returned.output)}
    if isinstance(returned, dict):
        return {k: (v.node, v.output) for k, v in returned.items() if isinstance(v, OutputHandle)}
    return {}
