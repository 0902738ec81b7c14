"""Planning: a run (assets or a job, maybe a subset of its steps) becomes steps with edges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from dagdeck.core.defs.asset_graph import stable_order
from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.checks import AssetChecksDefinition
from dagdeck.core.defs.config import Config
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.params import FunctionParams
from dagdeck.core.defs.results import RetryPolicy
from dagdeck.core.errors import DagdeckError, RunConfigError, did_you_mean
from dagdeck.store import Run


@dataclass(frozen=True)
class Source:
    """One value an input receives: a step output of this run, or a stored value."""

    step_key: str
    output: str = "result"
    asset_key: AssetKey | None = None
    in_run: bool = True
    io_manager_key: str = "io_manager"


@dataclass(frozen=True)
class StepInput:
    param: str
    sources: tuple[Source, ...]
    fan_in: bool = False


@dataclass
class Step:
    key: str
    kind: str
    """`asset` or `op`."""
    fn: Any
    params: FunctionParams
    inputs: dict[str, StepInput]
    resource_params: list[str]
    outputs: dict[str, str]
    """Output name -> IO manager resource key."""
    upstream: set[str] = field(default_factory=set)
    asset_key: AssetKey | None = None
    op_name: str | None = None
    retry_policy: RetryPolicy | None = None
    single_output: bool = True
    tags: dict[str, str] = field(default_factory=dict)
    check_name: str | None = None
    """For `check` steps: which check of `asset_key` this runs."""
    blocking: bool = False
    transient: bool = False
    code_version: str | None = None


@dataclass
class ExecutionPlan:
    job_name: str
    steps: dict[str, Step]
    """In a stable topological order."""

    @property
    def step_keys(self) -> list[str]:
        return list(self.steps)

    @property
    def asset_keys(self) -> list[str]:
        """Keys of the asset steps (not their checks), as `Run.plan["assets"]` records them."""
        return [k for k, s in self.steps.items() if s.kind == "asset"]


class PlanError(DagdeckError):
    pass


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
                up.to_user_string(), "result", up, in_run=up in selected, io_manager_key=graph.assets[up].io_manager_key
            )
            inputs[param] = StepInput(param, (src,))
        resource_params = [p.name for p in a.params.others if p.name not in inputs and p.name in defs.resources]
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
        resource_params=[p.name for p in check.params.others if p.name not in inputs and p.name in defs.resources],
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
            raise PlanError(f"unknown asset check {key!r}; " + (did_you_mean(key, by_key) or "see `dagdeck checks list`"))
        steps[key] = _check_step(defs, by_key[key], set())
    return ExecutionPlan(job_name, steps)


def plan_job(defs: Definitions, job_name: str) -> ExecutionPlan:
    if job_name in defs.asset_jobs:
        return plan_assets(defs, defs.asset_jobs[job_name].keys, job_name)
    if job_name not in defs.op_jobs:
        raise PlanError(
            f"unknown job {job_name!r}; " + (did_you_mean(job_name, defs.job_names) or f"jobs: {', '.join(defs.job_names)}")
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
                    Source(h.node, h.output, io_manager_key=job.nodes[h.node].op.outs[h.output].io_manager_key)
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
            retry_policy=node.op.retry_policy,
            single_output=node.op.single_output,
            tags=node.op.tags,
        )
    return ExecutionPlan(job_name, steps)


def build_run_plan(defs: Definitions, run: Run) -> ExecutionPlan:
    """Rebuild the plan a run was launched with (`Run.plan` names its assets and step subset)."""
    spec = run.plan or {}
    if spec.get("checks") is not None:
        plan = plan_checks(defs, spec["checks"], run.job_name)
    elif spec.get("assets") is not None:
        plan = plan_assets(defs, [AssetKey(k) for k in spec["assets"]], run.job_name)
    else:
        plan = plan_job(defs, run.job_name)
    if spec.get("step_keys") is not None:
        plan = subset(plan, spec["step_keys"])
    return plan


def subset(plan: ExecutionPlan, step_keys: Iterable[str]) -> ExecutionPlan:
    """Keep only `step_keys`; inputs from dropped steps are loaded from storage instead."""
    keep = set(step_keys)
    unknown = keep - set(plan.steps)
    if unknown:
        raise PlanError(f"steps not in job {plan.job_name!r}: {', '.join(sorted(unknown))}")
    steps: dict[str, Step] = {}
    for key, step in plan.steps.items():
        if key not in keep:
            continue
        inputs = {
            p: StepInput(p, tuple(_mark(src, src.step_key in keep) for src in inp.sources), inp.fan_in)
            for p, inp in step.inputs.items()
        }
        steps[key] = Step(**{**step.__dict__, "inputs": inputs, "upstream": step.upstream & keep})
    return ExecutionPlan(plan.job_name, steps)


def _mark(src: Source, in_run: bool) -> Source:
    return Source(src.step_key, src.output, src.asset_key, in_run and src.in_run, src.io_manager_key)


CONFIG_FORM = '{"ops": {"STEP": {"config": {...}}}}'


def step_configs(plan: ExecutionPlan, run_config: Mapping[str, Any]) -> dict[str, Config]:
    """Validate run config (`{"ops": {step: {"config": {...}}}}`) before the run starts."""
    if not isinstance(run_config or {}, Mapping):
        raise RunConfigError(f"run config must be an object like {CONFIG_FORM}")
    problem = config_shape_problem(run_config or {})
    if problem:
        raise RunConfigError(f"run config: {problem}; run config looks like {CONFIG_FORM}")
    ops_cfg = dict((run_config or {}).get("ops") or {})
    names = {}
    for step in plan.steps.values():
        names[step.key] = step.key
        if step.asset_key is not None:
            names.setdefault(step.asset_key.name, step.key)
            names.setdefault("__".join(step.asset_key.path), step.key)
    unknown = [k for k in ops_cfg if k not in names]
    if unknown:
        raise RunConfigError(
            f"run config names unknown step {unknown[0]!r}; "
            + (did_you_mean(unknown[0], names) or f"steps: {', '.join(plan.steps)}")
        )
    by_step = {names[k]: v for k, v in ops_cfg.items()}
    out: dict[str, Config] = {}
    for step in plan.steps.values():
        ctype = step.params.config_type
        if ctype is None:
            continue
        raw = by_step.get(step.key, {})
        raw = raw.get("config", raw) if isinstance(raw, Mapping) else raw
        try:
            out[step.key] = ctype.model_validate(raw or {})
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in err.errors()
            )
            raise RunConfigError(
                f"run config for step {step.key!r} is invalid: {problems} "
                f"(expected {ctype.__name__} fields: {', '.join(ctype.model_fields) or 'none'})"
            ) from None
    return out


def config_shape_problem(data: Mapping[str, Any]) -> str | None:
    """What the planner would trip over: `ops` must map step names to objects, and `config`, where
    given, must be an object."""
    ops = data.get("ops")
    if ops is None:
        return None
    if not isinstance(ops, dict):
        return f'"ops" must be an object of steps, not {_json_kind(ops)}'
    for step, entry in ops.items():
        if entry is None:
            continue
        if not isinstance(entry, dict):
            return f'"ops"."{step}" must be an object, not {_json_kind(entry)}'
        if entry.get("config") is not None and not isinstance(entry["config"], dict):
            return f'"ops"."{step}"."config" must be an object, not {_json_kind(entry["config"])}'
    return None


def _json_kind(value: Any) -> str:
    """The JSON word for a parsed value's type ("a number", "a list"), for error messages."""
    kinds = ((bool, "true/false"), (int | float, "a number"), (str, "a string"), (list, "a list"))
    return next((word for kind, word in kinds if isinstance(value, kind)), "null")
