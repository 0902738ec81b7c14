"""Plans of op jobs: each node of the traced graph is a step."""

from __future__ import annotations

from dagdeck.core.defs.asset_graph import stable_order
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.errors import did_you_mean
from dagdeck.core.running.plan import ExecutionPlan, PlanError, Source, Step, StepInput, sorted_hooks
from dagdeck.core.running.plan_assets import plan_assets


def plan_job(defs: Definitions, job_name: str) -> ExecutionPlan:
    if job_name in defs.asset_jobs:
        return plan_assets(defs, defs.asset_jobs[job_name].keys, job_name)
    if job_name not in defs.op_jobs:
        raise PlanError(
            f"unknown job {job_name!r}; "
            + (did_you_mean(job_name, defs.job_names) or f"jobs: {', '.join(defs.job_names)}")
        )
    job = defs.op_jobs[job_name]
    resources = {**defs.resources, **job.resources}
    order = stable_order({n.name: n.upstream_nodes for n in job.nodes.values()})
    steps: dict[str, Step] = {}
    for name in order:
        node = job.nodes[name]
        inputs = {
            p: StepInput(
                p,
                tuple(
                    Source(
                        h.node, h.output, io_manager_key=job.nodes[h.node].op.outs[h.output].io_manager_key
                    )
                    for h in src.sources
                ),
                src.fan_in,
            )
            for p, src in node.inputs.items()
        }
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
            tags=node.op.tags,
        )
    return ExecutionPlan(job_name, steps)
