"""Plans of asset runs: each selected asset is a step, its checks right after it."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.assets import AssetsDefinition
from dagdeck.core.defs.check_specs import AssetCheckKey
from dagdeck.core.defs.checks import AssetChecksDefinition, MultiAssetChecksDefinition
from dagdeck.core.defs.config_mapping import job_config_of
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.errors import did_you_mean
from dagdeck.core.running.plan import ExecutionPlan, PlanError, Source, Step, StepInput, sorted_hooks
from dagdeck.core.running.plan_graph_assets import graph_asset_steps


def plan_assets(
    defs: Definitions,
    keys: Iterable[AssetKey],
    job_name: str = ASSET_JOB_NAME,
    checks: AbstractSet[AssetCheckKey] | None = None,
) -> ExecutionPlan:
    """One step per asset definition with a selected key (external keys never run); a multi-asset
    step produces only its selected outputs when it can subset, else all of them. `checks`: the
    asset checks to run (a job's `AssetSelection.checks...`), by default those of the assets."""
    graph = defs.asset_graph
    wanted = set(keys)
    selected = wanted & graph.materializable_keys
    if wanted and not selected and wanted <= graph.external:
        names = ", ".join(sorted(k.to_user_string() for k in wanted))
        raise PlanError(
            f"{names}: external asset(s), declared by AssetSpec, SourceAsset or deps=; "
            "dagdeck shows them and never materializes them (select the assets that depend on them)"
        )
    problem = graph.subset_problem(selected)
    if problem:
        raise PlanError(f"{problem}; select all of its assets")
    step_of = graph.step_keys
    missing = _may_be_missing(defs, selected) if graph.skippable else set()
    job = defs.asset_jobs.get(job_name)
    job_hooks = job.hooks if job else frozenset()
    job_retry_policy = job.op_retry_policy if job else None
    steps: dict[str, Step] = {}
    resources = defs.resources
    data_inputs = graph.data_inputs
    nodes = graph.assets
    for key in graph.toposorted:
        if key not in selected:
            continue
        step_key = step_of[key]
        if step_key in steps:
            continue
        a = nodes[key].definition
        if a.graph is not None:  # graph-backed: one step per op of its graph
            steps.update(graph_asset_steps(defs, a, selected, step_of, job, missing))
            continue
        own = [k for k in a.specs_by_key if k in selected] if a.multi else [key]
        inputs: dict[str, StepInput] = {}
        for param, up in data_inputs[key].items():
            node = nodes[up]
            declared = a.ins.get(param) if a.ins else None
            src = Source(
                step_of.get(up) or node.step_key,
                node.output_name,
                up,
                in_run=up in selected,
                io_manager_key=(declared.input_manager_key if declared is not None else None) or node.io_manager_key,
                optional=up in missing,
            )
            inputs[param] = StepInput(param, (src,))
        assert a.params is not None
        resource_params = [p.name for p in a.params.others if p.name not in inputs and p.name in resources]
        if a.multi:
            upstream = {step_of[u] for k in own for u in graph.upstream[k] if u in selected} - {step_key}
            out_keys = {a.output_names_by_key[k]: k for k in own}
            extra: dict[str, object] = {
                "asset_key": own[0] if len(a.specs_by_key) == 1 else None,
                "output_asset_keys": out_keys,
                "code_versions": {o: a.specs_by_key[k].code_version for o, k in out_keys.items()},
                "required_outputs": frozenset(
                    a.output_names_by_key[k] for k, spec in a.specs_by_key.items() if not spec.skippable
                ),
                "single_output": False,
            }
            outputs = _outputs(a, own)
        else:
            upstream = {step_of[u] for u in graph.upstream[key] if u in selected}
            extra = {"asset_key": key, "code_version": a.specs_by_key[key].code_version}
            outputs = {a.output_names_by_key[key]: a.io_manager_keys_by_key.get(key, "io_manager")}
        if a.check_specs:  # checks it evaluates itself: those of its selected assets
            mine = [s for s in a.check_specs if s.asset_key in own and (checks is None or s.key in checks)]
            extra["check_keys"] = tuple(spec.key for spec in mine)
            extra["blocking_checks"] = frozenset(spec.key for spec in mine if spec.blocking)
        if missing:
            optional = frozenset(a.output_names_by_key[k] for k in own if k in graph.skippable)
            if optional:  # `output_required=False` / `AssetOut(is_required=False)`: consumers may be skipped
                extra["optional_outputs"] = optional
            # `deps=` on an asset that may not be materialized: skipped with it
            loaded = {src.asset_key for inp in inputs.values() for src in inp.sources}
            extra["waits_for"] = tuple(
                Source(step_of[u], nodes[u].output_name, u, optional=True)
                for u in sorted({u for k in own for u in graph.upstream[k]} & missing - loaded, key=str)
                if step_of[u] != step_key
            )
        io_types = a.io_types
        steps[step_key] = Step(
            key=step_key,
            kind="asset",
            fn=a.fn,
            params=a.params,
            inputs=inputs,
            resource_params=resource_params,
            outputs=outputs,
            upstream=upstream,
            op_name=a.op_name if a.multi else step_key,
            retry_policy=a.retry_policy or job_retry_policy,
            hooks=sorted_hooks(a.hooks | job_hooks) if a.hooks or job_hooks else (),
            tags=a.op_tags,
            transient=a.transient,
            input_types=io_types.inputs,
            output_types=io_types.outputs,
            config_schema=a.config_schema,
            **extra,  # type: ignore[arg-type]
        )
    asset_job = defs.asset_jobs.get(job_name)  # its config= is the default of its runs
    job_config = job_config_of(asset_job.config) if asset_job is not None else None
    return ExecutionPlan(job_name, _with_checks(defs, steps, selected, checks), job_config)


def _outputs(a: AssetsDefinition, own: list[AssetKey]) -> dict[str, str]:
    """A multi-asset step's outputs (of its selected keys) and their IO managers."""
    return {a.output_names_by_key[k]: a.io_manager_keys_by_key.get(k, "io_manager") for k in own}


def _may_be_missing(defs: Definitions, selected: set[AssetKey]) -> set[AssetKey]:
    """Selected assets whose value may not exist when their consumers start, as Dagster skips
    those consumers: an optional output (`output_required=False`, `AssetOut(is_required=False)`)
    and, transitively, the assets computed from one."""
    graph = defs.asset_graph
    out: set[AssetKey] = set()
    for key in graph.toposorted:
        if key not in selected:
            continue
        node = graph.assets[key]
        if node.definition.specs_by_key[key].skippable or any(up in out for up in graph.upstream[key]):
            out.add(key)
    return out


def _multi_check_step(
    defs: Definitions,
    multi: MultiAssetChecksDefinition,
    in_run: set[AssetKey],
    checks: AbstractSet[AssetCheckKey] | None = None,
) -> Step:
    """A `@multi_asset_check`'s step: after the steps of its checked assets in the run; a subset
    (`can_subset=True`) evaluates only the checks of those assets (or the selected checks)."""
    graph = defs.asset_graph
    if checks is not None:
        specs = [s for s in multi.specs if s.key in checks]
    elif multi.can_subset and in_run:
        specs = [s for s in multi.specs if s.asset_key in in_run]
    else:
        specs = list(multi.specs)
    return Step(
        key=multi.step_key,
        kind="check",
        fn=multi.fn,
        params=multi.params,
        inputs={},
        resource_params=[p.name for p in multi.params.others if p.name in defs.resources],
        outputs={},
        upstream={graph.assets[s.asset_key].step_key for s in multi.specs if s.asset_key in in_run},
        op_name=multi.name,
        check_keys=tuple(s.key for s in specs),
        blocking_checks=frozenset(s.key for s in specs if s.blocking),
        blocking=any(s.blocking for s in specs),
    )


def _check_step(
    defs: Definitions,
    check: AssetChecksDefinition,
    in_run: set[AssetKey],
    checks: AbstractSet[AssetCheckKey] | None = None,
) -> Step:
    if check.multi is not None:
        return _multi_check_step(defs, check.multi, in_run, checks)
    if check.runner is not None:
        raise PlanError(
            f"asset check {check.asset_key.to_user_string()}:{check.name} is evaluated by the step of its asset "
            f"({check.runner}); materialize the asset to run it"
        )
    graph = defs.asset_graph
    inputs = {}
    for param, key in defs.check_inputs[check.step_key].items():
        node = graph.assets[key]
        src = Source(node.step_key, node.output_name, key, key in in_run, node.io_manager_key)
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


def _with_checks(
    defs: Definitions,
    steps: dict[str, Step],
    selected: set[AssetKey],
    checks: AbstractSet[AssetCheckKey] | None = None,
) -> dict[str, Step]:
    """Each selected asset's checks run right after it; downstream steps wait for blocking ones.
    Checks selected without their asset run against its stored value."""
    if not defs.checks_by_asset:
        return steps
    out: dict[str, Step] = {}
    multis: dict[str, Step] = {}  # after every step, as they may check several assets
    blocking_for: dict[str, list[str]] = {}
    for key, step in steps.items():
        out[key] = step
        for asset_key in step.materializes:
            for check in defs.checks_by_asset.get(asset_key, []):
                if check.runner is not None and check.multi is None:
                    continue  # an asset's own check_specs: evaluated in its step
                if checks is not None and check.key not in checks:
                    continue
                if check.multi is not None and check.step_key not in multis:
                    multis[check.step_key] = _check_step(defs, check, selected, checks)
                elif check.multi is None:
                    out[check.step_key] = _check_step(defs, check, selected)
                if check.blocking:
                    blocking_for.setdefault(key, []).append(check.step_key)
    for asset_key, of_asset in defs.checks_by_asset.items() if checks else ():
        if asset_key in selected:
            continue
        for check in of_asset:  # selected without its asset (an asset's own check_specs need it)
            runs_alone = check.runner is None or check.multi is not None
            if check.key in checks and runs_alone and check.step_key not in out and check.step_key not in multis:
                target = multis if check.multi is not None else out
                target[check.step_key] = _check_step(defs, check, selected, checks)
    out.update(multis)
    for step in out.values():
        if step.kind == "asset":
            for up in list(step.upstream):
                # a multi-asset check of this step's asset too runs after it, not before
                step.upstream.update(c for c in blocking_for.get(up, ()) if step.key not in out[c].upstream)
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
        if key not in steps:
            steps[key] = _check_step(defs, by_key[key], set())
    return ExecutionPlan(job_name, steps)
