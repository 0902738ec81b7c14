"""What a run executes: steps with edges (`ExecutionPlan`), and cutting one down to a subset.

`plan_assets` and `plan_job` build plans; `run_plan.build_run_plan` rebuilds the plan a run was
launched with; `run_config` checks run config against a plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.config_mapping import JobConfig
from dagdeck.core.defs.config_types import Field
from dagdeck.core.defs.dynamic import split_mapped_key
from dagdeck.core.defs.hooks import HookDefinition
from dagdeck.core.defs.params import FunctionParams
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.errors import DagdeckError


class LinkKind(Enum):
    """How an input reaches a dynamic output (see core/running/dynamic_steps.py)."""

    ELEMENT = "element"
    """One element of the dynamic output: the one under the mapped step's own mapping key."""
    MAPPED = "mapped"
    """The output of the same-key instance of an upstream mapped step (`up[key]`)."""
    COLLECT = "collect"
    """Every element (or every mapped instance), as one list in mapping-key order."""


@dataclass(frozen=True, slots=True)
class DynamicLink:
    kind: LinkKind
    origin: tuple[str, str]
    """The dynamic output behind it: (step key of the op that yields it, output name)."""


@dataclass(slots=True)
class Source:
    """One value an input receives: a step output of this run, or a stored value.

    Not frozen, like `StepInput`: a plan builds one per input of each step, and a frozen
    dataclass's constructor costs ~3x more; nothing changes them after planning (`replace`)."""

    step_key: str
    output: str = "result"
    asset_key: AssetKey | None = None
    in_run: bool = True
    io_manager_key: str = "io_manager"
    dynamic: DynamicLink | None = None
    optional: bool = False
    """The value may be missing: an `Out(is_required=False)`, or an output of a step that may be
    skipped for a missing input of its own (core/running/plan_nodes.py)."""


NO_VALUE: Any = object()
"""`StepInput.value` of an input loaded from its sources."""


@dataclass(slots=True)
class StepInput:
    param: str
    sources: tuple[Source, ...]
    fan_in: bool = False
    value: Any = NO_VALUE
    """A value given with the job (`to_job(input_values=)`), passed as is: no sources then."""


@dataclass(slots=True)
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
    hooks: tuple[HookDefinition, ...] = ()
    """Success and failure hooks to run after the step's outcome, in name order."""
    single_output: bool = True
    tags: dict[str, str] = field(default_factory=dict)
    check_name: str | None = None
    """For `check` steps: which check of `asset_key` this runs."""
    blocking: bool = False
    check_keys: tuple[Any, ...] = ()
    """`AssetCheckKey`s this step evaluates itself: an asset's `check_specs` (of its selected
    assets), a `@multi_asset_check`'s specs; each must get a result (core/running/execute_check.py)."""
    blocking_checks: frozenset[Any] = frozenset()
    """Those of `check_keys` declared `blocking=True`: an ERROR failure fails the step."""
    transient: bool = False
    code_version: str | None = None
    input_types: dict[str, Any] = field(default_factory=dict)
    """Input name -> DagsterType checked after loading (only types that are not Any)."""
    output_types: dict[str, Any] = field(default_factory=dict)
    """Output name -> DagsterType checked before storing (not Any); a Nothing output stores nothing."""
    output_asset_keys: dict[str, AssetKey] | None = None
    """Multi-asset steps: output name -> the asset key it materializes (else `asset_key`)."""
    code_versions: dict[str, str | None] | None = None
    """Multi-asset steps: output name -> code version of its asset."""
    required_outputs: frozenset[str] = frozenset()
    """Multi-asset steps: outputs it must produce, selected or not (Dagster fails the step when a
    required output is missing, also in a subset: `AssetOut(is_required=False)` lifts it)."""
    optional_outputs: frozenset[str] = frozenset()
    """Outputs declared `Out(is_required=False)`: when one is not yielded, its consumers are skipped."""
    dynamic_outputs: frozenset[str] = frozenset()
    """Outputs declared `DynamicOut()`: yielded once per mapping key."""
    mapped_by: tuple[str, str] | None = None
    """Mapped steps: the dynamic output (step key, output) they run once per element of."""
    mapping_key: str | None = None
    """One instance of a mapped step (key `op[mapping_key]`); None on the template the plan holds,
    which the scheduler expands once the dynamic output is known (core/running/dynamic_steps.py)."""
    config_schema: Field | None = None
    """`config_schema=` of its op or asset: run config gives `context.op_config` through it."""
    unselected_outputs: tuple[str, ...] = ()
    """A graph-backed asset's op in a subset run: its declared outputs this run does not need (not
    in `outputs`), in declaration order; producing one fails the step, as in Dagster."""
    waits_for: tuple[Source, ...] = ()
    """Optional upstream outputs the step needs but does not load (an asset's `deps=`, an op's
    `In(Nothing)`): when one is not yielded the step is skipped, as Dagster skips it."""

    @property
    def is_template(self) -> bool:
        return self.mapped_by is not None and self.mapping_key is None

    @property
    def materializes(self) -> list[AssetKey]:
        """The asset keys this step materializes."""
        if self.output_asset_keys is not None:
            return list(self.output_asset_keys.values())
        return [self.asset_key] if self.asset_key is not None and self.kind == "asset" else []


@dataclass
class ExecutionPlan:
    job_name: str
    steps: dict[str, Step]
    """In a stable topological order."""
    job_config: JobConfig | None = None
    """Config defaults and mappings of the job (None for most jobs)."""

    @property
    def step_keys(self) -> list[str]:
        """Steps known before the run (mapped steps appear as `op[key]` once their upstream ran)."""
        return [k for k, s in self.steps.items() if not s.is_template]

    @property
    def asset_keys(self) -> list[str]:
        """Keys of the assets the asset steps materialize (not their checks), as `Run.plan["assets"]`
        records them."""
        return [k.to_user_string() for s in self.steps.values() if s.kind == "asset" for k in s.materializes]


class PlanError(DagdeckError):
    pass


def sorted_hooks(hooks: Iterable[HookDefinition]) -> tuple[HookDefinition, ...]:
    """A step's hooks in a stable order (by name), however the user's set iterates."""
    return tuple(sorted(hooks, key=lambda h: h.name)) if hooks else ()


def subset(plan: ExecutionPlan, step_keys: Iterable[str]) -> ExecutionPlan:
    """Keep only `step_keys`; inputs from dropped steps are loaded from storage instead."""
    keep = _with_mapped_steps(plan, step_keys)
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
        steps[key] = replace(step, inputs=inputs, upstream=step.upstream & keep)
    return ExecutionPlan(plan.job_name, steps, plan.job_config)


def _with_mapped_steps(plan: ExecutionPlan, step_keys: Iterable[str]) -> set[str]:
    """`step_keys` with an instance `op[key]` standing for its mapped step, and the mapped steps a
    kept step collects or maps over (all their instances run again: a failed one stored nothing)."""
    keep: set[str] = set()
    for key in step_keys:
        parts = split_mapped_key(key) if key not in plan.steps else None
        keep.add(parts[0] if parts and parts[0] in plan.steps and plan.steps[parts[0]].is_template else key)
    frontier = list(keep)
    while frontier:
        step = plan.steps.get(frontier.pop())
        for inp in step.inputs.values() if step is not None else ():
            for src in inp.sources:
                up = plan.steps.get(src.step_key)
                if src.dynamic is not None and up is not None and up.is_template and up.key not in keep:
                    keep.add(up.key)
                    frontier.append(up.key)
    return keep


def _mark(src: Source, in_run: bool) -> Source:
    return replace(src, in_run=in_run and src.in_run)
