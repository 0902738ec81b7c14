"""The one place that starts runs: create them QUEUED, drain the queue into free slots (the workers
are forked by `worker.start_queued`, which a finishing worker calls too), watch for workers that died
without their final event, cancel and re-execute."""

from __future__ import annotations

import copy
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.events import EventType, make_event
from dagdeck.core.instance import Instance
from dagdeck.core.running.plan import ExecutionPlan, plan_assets, plan_job
from dagdeck.core.running.processes import HOST, kill_orphaned_group, pid_alive_since
from dagdeck.core.running.run_status import mark_canceled, mark_failure, request_cancel
from dagdeck.core.running.step_status import UNFINISHED_STEP, fold_steps
from dagdeck.core.running.worker import start_queued
from dagdeck.core.statuses import ACTIVE, FINISHED, RunStatus, StepStatus
from dagdeck.store import Run


@dataclass
class LaunchSpec:
    """Everything needed to create a run; `assets` for asset runs, else the job's steps."""

    job_name: str
    location: CodeLocation
    steps: list[str]
    assets: list[str] | None = None
    checks: list[str] | None = None
    step_keys: list[str] | None = None
    run_config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    trigger: str = "cli"
    executor: str | None = None
    parent: Run | None = None
    prior_run_ids: list[str] = field(default_factory=list)


def job_spec(
    defs: Definitions,
    location: CodeLocation,
    name: str,
    *,
    trigger: str,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    executor: str | None = None,
) -> tuple[LaunchSpec, ExecutionPlan]:
    """The launch of a named job: its steps, and its default config and tags unless overridden.
    The CLI, the console, the daemon and `dg.materialize` all start jobs through this."""
    plan = plan_job(defs, name)
    asset_job = defs.asset_jobs.get(name)
    op_job = defs.op_jobs.get(name)
    default_config = asset_job.config if asset_job else op_job.default_config if op_job else {}
    job_tags = asset_job.tags if asset_job else op_job.tags if op_job else {}
    spec = LaunchSpec(
        job_name=name,
        location=location,
        steps=plan.step_keys,
        assets=plan.asset_keys if asset_job else None,
        run_config=copy.deepcopy(dict(run_config or default_config)),
        tags={**job_tags, **(tags or {})},
        trigger=trigger,
        executor=executor,
    )
    return spec, plan


def assets_spec(
    defs: Definitions,
    location: CodeLocation,
    keys: Iterable[AssetKey],
    *,
    trigger: str,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    executor: str | None = None,
) -> tuple[LaunchSpec, ExecutionPlan]:
    """The launch of a set of assets (with their checks), outside any named job."""
    plan = plan_assets(defs, keys)
    spec = LaunchSpec(
        job_name=ASSET_JOB_NAME,
        location=location,
        steps=plan.step_keys,
        assets=plan.asset_keys,
        run_config=dict(run_config or {}),
        tags=dict(tags or {}),
        trigger=trigger,
        executor=executor,
    )
    return spec, plan


def new_run_id() -> str:
    return uuid.uuid4().hex


class Launcher:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.store = instance.store
        self._children: dict[str, int] = {}

    # -- creating and starting -----------------------------------------------------------------
    def submit(self, spec: LaunchSpec, start: bool = True) -> Run:
        now = time.time()
        run_id = new_run_id()
        plan: dict[str, Any] = {"steps": spec.steps}
        if spec.assets is not None:
            plan["assets"] = spec.assets
        if spec.checks is not None:
            plan["checks"] = spec.checks
        if spec.step_keys is not None:
            plan["step_keys"] = spec.step_keys
        if spec.prior_run_ids:
            plan["prior_run_ids"] = spec.prior_run_ids
        run = Run(
            run_id=run_id,
            job_name=spec.job_name,
            status=RunStatus.QUEUED,
            trigger=spec.trigger,
            created_at=now,
            parent_run_id=spec.parent.run_id if spec.parent else None,
            root_run_id=(spec.parent.root_run_id or spec.parent.run_id) if spec.parent else None,
            run_config=spec.run_config,
            tags=spec.tags,
            plan=plan,
            location=spec.location.to_dict(),
            executor=spec.executor,
        )
        self.store.add_run(
            run,
            [make_event(EventType.RUN_ENQUEUED, run_id, message=f"queued by {spec.trigger}", timestamp=now)],
        )
        if start:
            self.drain()
        return self.store.get_run(run_id) or run

    def drain(self) -> list[str]:
        """Start queued runs, oldest first, while slots are free."""
        started = start_queued(self.instance)
        self._children.update(started)
        return list(started)

    # -- watching ------------------------------------------------------------------------------
    def watch(self) -> list[str]:
        """Detect dead workers, then fill free slots. Returns ids of runs marked failed."""
        ended: list[str] = []
        for run_id, pid in list(self._children.items()):
            code = _reap(pid)
            if code is None:
                continue
            del self._children[run_id]
            run = self.store.get_run(run_id)
            if run is not None and run.status not in FINISHED:
                why = f"worker exited with signal {-code}" if code < 0 else f"worker exited with code {code}"
                if self._end_dead(run, why + " before recording the end of the run"):
                    ended.append(run_id)
        now = time.time()
        stale = self.instance.settings.stale_heartbeat_seconds
        for run in self.store.runs_by_status([str(s) for s in ACTIVE]):
            if run.run_id in self._children:
                continue
            if run.host == HOST:
                # a forked worker is younger than its run; an in-process run (dg.materialize) lives
                # in a process that may be much older, so only its being alive can be checked
                spawned = (
                    0.0
                    if run.trigger == "in_process"
                    else min(t for t in (run.heartbeat_at, run.started_at, run.created_at) if t is not None)
                )
                if run.pid and not pid_alive_since(run.pid, spawned):
                    # STARTING runs get their pid a moment after the claim: give them a grace period
                    if run.status == RunStatus.STARTING and now - (run.heartbeat_at or run.created_at) < 10:
                        continue
                    if self._end_dead(run, f"worker process {run.pid} died without recording the end of the run"):
                        ended.append(run.run_id)
            elif run.heartbeat_at is not None and now - run.heartbeat_at > stale:
                why = f"worker on {run.host} sent no heartbeat for {now - run.heartbeat_at:.0f}s"
                if self._end_dead(run, why):
                    ended.append(run.run_id)
        self.drain()
        return ended

    def _end_dead(self, run: Run, reason: str) -> bool:
        if run.host == HOST and run.pid:
            # step processes of a multiprocess run outlive a killed worker: stop them too
            kill_orphaned_group(run.pid, run.created_at)
        events = self._close_steps(run)
        if run.status == RunStatus.CANCELING:
            return mark_canceled(self.store, run.run_id, events=events, message=f"run canceled ({reason})")
        return mark_failure(self.store, run.run_id, reason, events=events)

    def _close_steps(self, run: Run) -> list[dict[str, Any]]:
        """Steps left running by a dead worker end failed (or canceled); unstarted ones skipped."""
        steps = fold_steps(run, self.store.get_events(run_id=run.run_id, limit=1_000_000))
        canceling = run.status == RunStatus.CANCELING
        events = []
        for s in steps.values():
            if s.status in UNFINISHED_STEP:
                events.append(
                    make_event(
                        EventType.STEP_FAILURE,
                        run.run_id,
                        step_key=s.key,
                        asset_key=s.asset_key,
                        message="canceled" if canceling else "worker died",
                        level="ERROR",
                        error="worker died during this step",
                        canceled=canceling,
                    )
                )
            elif s.status == StepStatus.PENDING:
                events.append(
                    make_event(
                        EventType.STEP_SKIPPED, run.run_id, step_key=s.key, message="run ended before this step"
                    )
                )
        return events

    def wait(self, run_id: str, timeout: float | None = None, poll: float = 0.1) -> Run:
        deadline = None if timeout is None else time.monotonic() + timeout
        last_watch = 0.0
        while True:
            run = self.store.get_run(run_id)
            if run is None:
                raise KeyError(run_id)
            if run.status in FINISHED:
                return run
            if time.monotonic() - last_watch > 0.5:
                self.watch()
                last_watch = time.monotonic()
            if deadline is not None and time.monotonic() > deadline:
                return run
            time.sleep(poll)

    # -- cancel and re-execute -----------------------------------------------------------------
    def cancel(self, run_id: str) -> RunStatus | None:
        status = request_cancel(self.store, run_id)
        if status == RunStatus.CANCELED:
            self.drain()
        return status

    def reexecute(self, parent: Run, from_failure: bool, trigger: str = "cli") -> Run:
        plan = parent.plan or {}
        all_steps = list(plan.get("step_keys") or plan.get("steps") or [])
        if from_failure:
            if parent.status not in (RunStatus.FAILURE, RunStatus.CANCELED):
                raise ValueError(f"run {parent.run_id[:8]} is {parent.status}; only failed or canceled runs re-execute from failure")
            steps = fold_steps(parent, self.store.get_events(run_id=parent.run_id, limit=1_000_000))
            keys = [k for k in all_steps if steps.get(k) is None or steps[k].status != StepStatus.SUCCEEDED]
            if not keys:
                raise ValueError("every step of that run succeeded; nothing to re-execute from failure")
        else:
            keys = all_steps
        prior = [parent.run_id, *plan.get("prior_run_ids", [])]
        spec = LaunchSpec(
            job_name=parent.job_name,
            location=CodeLocation.from_dict(parent.location or {}),
            steps=keys,
            assets=plan.get("assets"),
            checks=plan.get("checks"),
            step_keys=keys,
            run_config=dict(parent.run_config or {}),
            tags={**(parent.tags or {}), "dagdeck/parent": parent.run_id},
            trigger=trigger,
            executor=parent.executor,
            parent=parent,
            prior_run_ids=prior,
        )
        return self.submit(spec)


def _reap(pid: int) -> int | None:
    """Exit status of a worker we forked (negative signal number), or None while it runs."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return 0
    if done == 0:
        return None
    return os.waitstatus_to_exitcode(status)
