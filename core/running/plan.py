"""What a run executes: steps with edges (`ExecutionPlan`), and cutting one down to a subset.

`plan_assets` and `plan_job` build plans; `run_plan.build_run_plan` rebuilds the plan a run was
launched with; `run_config` checks run config against a plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.hooks import HookDefinition
from dagdeck.core.defs.params import FunctionParams
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.errors import DagdeckError


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
    hooks: tuple[HookDefinition, ...] = ()
    """Success and failure hooks to run after the step's outcome, in name order."""
    single_output: bool = True
    tags: dict[str, str] = field(default_factory=dict)
    check_name: str | None = None
    """For `check` steps: which check of `asset_key` this runs."""
    blocking: bool = False
    transient: bool = False
    code_version: str | None = None
    output_asset_keys: dict[str, AssetKey] | None = None
    """Multi-asset steps: output name -> the asset key it materializes (else `asset_key`)."""
    code_versions: dict[str, str | None] | None = None
    """Multi-asset steps: output name -> code version of its asset."""
    required_outputs: frozenset[str] = frozenset()
    """Multi-asset steps: outputs it must produce, selected or not (Dagster fails the step when a
    required output is missing, also in a subset: `AssetOut(is_required=False)` lifts it)."""

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

    @property
    def step_keys(self) -> list[str]:
        return list(self.steps)

    @property
    def asset_keys(self) -> list[str]:
        """Keys of the assets the asset steps materialize (not their checks), as `Run.plan["assets"]`
        records them."""
        return [k.to_user_string() for s in self.steps.values() if s.kind == "asset" for k in s.materializes]


class PlanError(DagdeckError):
    pass


def sorted_hooks(hooks: Iterable[HookDefinition]) -> tuple[HookDefinition, ...]:
    """A step's hooks in a stable order (by name), however the user's set iterates."""
    return tuple(sorted(hooks, key=lambda h: h.name))


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
