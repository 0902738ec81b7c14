"""Rebuild the plan a run was launched with, from what `Run.plan` recorded."""

from __future__ import annotations

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.running.plan import ExecutionPlan, subset
from dagdeck.core.running.plan_assets import plan_assets, plan_checks
from dagdeck.core.running.plan_job import plan_job
from dagdeck.store import Run


def build_run_plan(defs: Definitions, run: Run) -> ExecutionPlan:
    """Rebuild the plan a run was launched with (`Run.plan` names its assets and step subset)."""
    spec = run.plan or {}
    if spec.get("checks") is not None:
        plan = plan_checks(defs, spec["checks"], run.job_name)
    elif spec.get("assets") is not None:
        job = defs.asset_jobs.get(run.job_name)  # a named job's checks, as `AssetSelection` chose them
        checks = job.check_keys if job is not None else None
        plan = plan_assets(defs, [AssetKey(k) for k in spec["assets"]], run.job_name, checks)
    else:
        plan = plan_job(defs, run.job_name)
    if spec.get("step_keys") is not None:
        plan = subset(plan, spec["step_keys"])
    return plan
