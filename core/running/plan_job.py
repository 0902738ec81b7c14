"""Plans of op jobs: each node of the traced graph is a step."""

from __future__ import annotations

from typing import Any

from dagdeck.core.defs.asset_graph import stable_order
from dagdeck.core.defs.config_mapping import job_config_of
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.graphs import JobDefinition
from dagdeck.core.errors import did_you_mean
from dagdeck.core.running.plan import ExecutionPlan, PlanError, Source, Step, StepInput, sorted_hooks
from dagdeck.core.running.plan_assets import plan_assets
from dagdeck.core.running.plan_nodes import (
    node_inputs,
    node_output_kinds,
    skippable_nodes,
    without_order_inputs,
)

_GIVEN = "\0given"
"""Step key of the placeholder source of a graph input with a value (no step has it)."""


def _given_input(name: str) -> Source:
    return Source(_GIVEN, name)


def _input_value(job: JobDefinition, name: str) -> Any:
    if name not in job.input_values:
        raise PlanError(
            f"input {name!r} of job {job.name!r} has no value; "
            f"pass input_values={{{name!r}: ...}} to to_job() or execute_in_process()"
        )
    return job.input_values[name]


def plan_job(defs: Definitions, job_name: str) -> ExecutionPlan:
    if job_name in defs.asset_jobs:
        job = defs.asset_jobs[job_name]
        return plan_assets(defs, job.keys, job_name, job.check_keys)
    if job_name not in defs.op_jobs:
        raise PlanError(
            f"unknown job {job_name!r}; "
            + (did_you_mean(job_name, defs.job_names) or f"jobs: {', '.join(defs.job_names)}")
        )
    job = defs.op_jobs[job_name]
    resources = {**defs.resources, **job.resources}
    order = stable_order({n.name: n.upstream_nodes for n in job.nodes.values()})
    steps: dict[str, Step] = {}
    skippable = skippable_nodes(job.nodes)
    for name in order:
        node = job.nodes[name]
        inputs = (
            node_inputs(job.nodes, node, skippable, _given_input)
            if job.input_values
            else node_inputs(job.nodes, node, skippable)
        )
        for param, inp in inputs.items():  # `to_job(input_values=)`: the value, passed as is
            if inp.sources and inp.sources[0].step_key == _GIVEN:
                inputs[param] = StepInput(param, (), value=_input_value(job, inp.sources[0].output))
        waits_for = without_order_inputs(node, inputs)
        dynamic_outputs, optional_outputs = node_output_kinds(node)
        resource_params = [
            p.name for p in node.op.params.others if p.name not in inputs and p.name in resources
        ]
        steps[name] = Step(
            key=name,
            kind="op",
            fn=node.op.fn,
            params=node.op.params,
            inputs=inputs,
            resource_params=resource_params,
            outputs={o: spec.io_manager_key for o, spec in node.op.outs.items()},
            upstream=set(node.upstream_nodes),
            op_name=node.op.name,
            retry_policy=node.op.retry_policy or job.op_retry_policy,
            hooks=sorted_hooks(job.hooks | node.op.hooks),
            single_output=node.op.single_output,
            input_types=node.op.io_types.inputs,
            output_types=node.op.io_types.outputs,
            tags=node.op.tags,
            dynamic_outputs=dynamic_outputs,
            optional_outputs=optional_outputs,
            mapped_by=node.mapped_by,
            config_schema=node.op.config_schema,
            waits_for=waits_for,
        )
    job_config = job_config_of(job.default_config, job.config_mapping, job.graph_config_mappings)
    return ExecutionPlan(job_name, steps, job_config)
