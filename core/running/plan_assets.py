"""Plans of asset runs: each selected asset is a step, its checks right after it."""

from __future__ import annotations

from collections.abc import Iterable

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.checks import AssetChecksDefinition
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.errors import did_you_mean
from dagdeck.core.running.plan import ExecutionPlan, PlanError, Source, Step, StepInput


def plan_assets(defs: Definitions, keys: Iterable[AssetKey], job_name: str = ASSET_JOB_NAME) -> ExecutionPlan:
    graph = defs.asset_graph
    selected = set(keys)
    steps: dict[str, Step] = {}
    for key in graph.toposorted:
        if key not in selected:
            continue
        a = graph.assets[key]
        inputs: dict[str, StepInput] = {}
        for param, up in graph.data_inputs[key].items():
            src = Source(
                up.to_user_string(),
                "result",
                up,
                in_run=up in selected,
                io_manager_key=graph.assets[up].io_manager_key,
            )
            inputs[param] = StepInput(param, (src,))
        resource_params = [
            p.name for p in a.params.others if p.name not in inputs and p.name in defs.resources
        ]
        steps[key.to_user_string()] = Step(
            key=key.to_user_string(),
            kind="asset",
            fn=a.fn,
            params=a.params,
            inputs=inputs,
            resource_params=resource_params,
            outputs={"result": a.io_manager_key},
            upstream={u.to_user_string() for u in graph.upstream[key] if u in selected},
            asset_key=key,
            op_name=key.to_user_string(),
            retry_policy=a.retry_policy,
            tags=a.tags,
            transient=a.transient,
            code_version=a.code_version,
        )
    return ExecutionPlan(job_name, _with_checks(defs, steps, selected))


def _check_step(defs: Definitions, check: AssetChecksDefinition, in_run: set[AssetKey]) -> Step:
    graph = defs.asset_graph
    inputs = {}
    for param, key in defs.check_inputs[check.step_key].items():
        src = Source(key.to_user_string(), "result", key, key in in_run, graph.assets[key].io_manager_key)
        inputs[param] = StepInput(param, (src,))
    return Step(
        key=check.step_key,
        kind="check",
        fn=check.fn,
        params=check.params,
        inputs=inputs,
        resource_params=[
            p.name for p in check.params.others if p.name not in inputs and p.name in defs.resources
        ],
        outputs={},
        upstream={src.step_key for inp in inputs.values() for src in inp.sources if src.in_run},
        asset_key=check.asset_key,
        op_name=check.name,
        check_name=check.name,
        blocking=check.blocking,
    )


def _with_checks(defs: Definitions, steps: dict[str, Step], selected: set[AssetKey]) -> dict[str, Step]:
    """Each selected asset's checks run right after it; downstream steps wait for blocking ones."""
    if not defs.checks_by_asset:
        return steps
    out: dict[str, Step] = {}
    blocking_for: dict[str, list[str]] = {}
    for key, step in steps.items():
        out[key] = step
        for check in defs.checks_by_asset.get(step.asset_key, []) if step.asset_key else []:
            out[check.step_key] = _check_step(defs, check, selected)
            if check.blocking:
                blocking_for.setdefault(key, []).append(check.step_key)
    for step in out.values():
        if step.kind == "asset":
            for up in list(step.upstream):
                step.upstream.update(blocking_for.get(up, ()))
    return out


def plan_checks(defs: Definitions, step_keys: Iterable[str], job_name: str = ASSET_JOB_NAME) -> ExecutionPlan:
    """Run checks alone against the stored values of their assets."""
    by_key = {c.step_key: c for c in defs.asset_checks}
    steps: dict[str, Step] = {}
    for key in step_keys:
        if key not in by_key:
            raise PlanError(
                f"unknown asset check {key!r}; " + (did_you_mean(key, by_key) or "see `dagdeck checks list`")
            )
        steps[key] = _check_step(defs, by_key[key], set())
    return ExecutionPlan(job_name, steps)
