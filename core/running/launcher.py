"""The one place that starts runs: create them QUEUED, drain the queue into free slots (the workers
are forked by `worker.start_queued`, which a finishing worker calls too), judge whether an
unfinished run still has a live worker (every read of a run does), cancel and re-execute."""

from __future__ import annotations

import copy
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
from dagdeck.core.running import forkserver
from dagdeck.core.running.plan import ExecutionPlan
from dagdeck.core.running.plan_assets import plan_assets, plan_checks
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.running.processes import HOST, is_alive, kill_remains, pid_alive_since
from dagdeck.core.running.run_status import mark_dead, request_cancel
from dagdeck.core.running.step_status import fold_steps
from dagdeck.core.running.worker import prestart_server, start_queued
from dagdeck.core.statuses import ACTIVE, FINISHED, RunStatus, StepStatus
from dagdeck.store import Run

CLAIM_SECONDS = 10.0
"""A claim this old without a worker pid is dead, whoever made it: starting a worker takes
milliseconds (half a second when the worker server must be started by exec first)."""


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


def checks_spec(
    defs: Definitions,
    location: CodeLocation,
    check_step_keys: Iterable[str],
    *,
    trigger: str,
    tags: Mapping[str, str] | None = None,
) -> tuple[LaunchSpec, ExecutionPlan]:
    """The launch of asset checks alone, against their assets' stored values (`dagdeck checks
    run`, a `RunRequest(asset_check_keys=...)`)."""
    keys = list(dict.fromkeys(check_step_keys))
    plan = plan_checks(defs, keys)
    spec = LaunchSpec(
        job_name=ASSET_JOB_NAME,
        location=location,
        steps=plan.step_keys,
        checks=plan.step_keys,
        tags={"dagdeck/checks": ",".join(keys), **(tags or {})},
        trigger=trigger,
    )
    return spec, plan


def new_run_id() -> str:
    return uuid.uuid4().hex


def queued_run(spec: LaunchSpec) -> Run:
    """The QUEUED run a launch spec becomes (the launcher and schedule/sensor ticks create it)."""
    plan: dict[str, Any] = {"steps": spec.steps}
    if spec.assets is not None:
        plan["assets"] = spec.assets
    if spec.checks is not None:
        plan["checks"] = spec.checks
    if spec.step_keys is not None:
        plan["step_keys"] = spec.step_keys
    if spec.prior_run_ids:
        plan["prior_run_ids"] = spec.prior_run_ids
    return Run(
        run_id=new_run_id(),
        job_name=spec.job_name,
        status=RunStatus.QUEUED,
        trigger=spec.trigger,
        created_at=time.time(),
        parent_run_id=spec.parent.run_id if spec.parent else None,
        root_run_id=(spec.parent.root_run_id or spec.parent.run_id) if spec.parent else None,
        run_config=spec.run_config,
        tags=spec.tags,
        plan=plan,
        location=spec.location.to_dict(),
        executor=spec.executor,
    )


def enqueued_event(run: Run) -> dict[str, Any]:
    return make_event(
        EventType.RUN_ENQUEUED, run.run_id, message=f"queued by {run.trigger}", timestamp=run.created_at
    )


class Launcher:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.store = instance.store
        self._children: dict[str, int] = {}

    # -- creating and starting -----------------------------------------------------------------
    def submit(self, spec: LaunchSpec, start: bool = True) -> Run:
        """Create the run QUEUED; with `start`, judge the active runs (a dead one may hold a slot)
        and drain the queue."""
        run = queued_run(spec)
        self.store.add_run(run, [enqueued_event(run)])
        if start:
            self.watch()
        return self.store.get_run(run.run_id) or run

    def prestart(self) -> None:
        """Have the worker server ready before the first launch (see `worker.prestart_server`)."""
        prestart_server()

    def drain(self) -> list[str]:
        """Start queued runs, oldest first, while slots are free."""
        started = start_queued(self.instance)
        self._children.update(started)
        return list(started)

    # -- judging workers -----------------------------------------------------------------------
    def watch(self) -> list[str]:
        """Judge every active run's worker, then fill free slots. Returns ids of runs ended."""
        active = self.store.runs_by_status([str(s) for s in ACTIVE])
        ids = {run.run_id for run in active}
        for run_id, pid in list(self._children.items()):
            if run_id not in ids:  # ended and recorded: its exit code tells nothing more
                self._children.pop(run_id, None)
                forkserver.exit_code(pid)
        ended = self.check(active)
        self.drain()
        return ended

    def check(self, runs: Iterable[Run]) -> list[str]:
        """End every run among `runs` whose worker is dead or hung, killing what is left of its
        processes on this host. Returns the ids of the runs ended here."""
        now = time.time()
        stale = self.instance.settings.stale_heartbeat_seconds
        ended = []
        for run in runs:
            reason = dead_reason(run, now, stale)
            if reason is None:
                continue
            if run.host == HOST and run.trigger != "in_process":
                reason = self._exit_reason(run) or reason
                recorded = None if self.instance.settings.keep_orphan_processes else run.processes
                kill_remains(run.pid, run.pid_started_at, recorded, run.created_at)
            if mark_dead(self.store, run, reason):
                ended.append(run.run_id)
        return ended

    def fresh(self, run: Run) -> Run:
        """`run` as it is now, after judging its worker (every read of an unfinished run does); a
        run ended here frees its slot, so the queue is drained."""
        if run.status in FINISHED:
            return run
        current = self.store.get_run(run.run_id) or run
        if current.status not in FINISHED and self.check([current]):
            self.drain()
            current = self.store.get_run(run.run_id) or current
        return current

    def _exit_reason(self, run: Run) -> str | None:
        """How a worker this process had forked ended, as reported by the worker server."""
        pid = self._children.get(run.run_id)
        if pid is None or pid != run.pid:
            return None
        code = forkserver.exit_code(pid, wait=1.0)
        if code is None:
            return None
        self._children.pop(run.run_id, None)
        how = f"signal {-code}" if code < 0 else f"code {code}"
        return f"worker exited with {how} before recording the end of the run"

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
        """Request the cancel; a run whose worker is already gone (or never started) ends at once."""
        status = request_cancel(self.store, run_id)
        if status == RunStatus.CANCELING:
            run = self.store.get_run(run_id)
            if run is not None and self.check([run]):
                status = RunStatus.CANCELED
        if status == RunStatus.CANCELED:
            self.drain()
        return status

    def reexecute(self, parent: Run, from_failure: bool, trigger: str = "cli") -> Run:
        plan = parent.plan or {}
        all_steps = list(plan.get("step_keys") or plan.get("steps") or [])
        if from_failure:
            if parent.status not in (RunStatus.FAILURE, RunStatus.CANCELED):
                raise ValueError(
                    f"run {parent.run_id[:8]} is {parent.status}; only failed or canceled runs re-execute from failure"
                )
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


def dead_reason(run: Run, now: float, stale: float) -> str | None:
    """Why an unfinished run has no live worker, or None while it has one (or still may get one).

    Before its worker is recorded, a run is judged by its claim: the claiming process must be alive
    (on this host) and the claim younger than `CLAIM_SECONDS`. After, on this host, the worker's pid
    must still be the process that started at the recorded time; on any host, a worker whose
    heartbeat is older than `stale` seconds is dead or hung.
    """
    if run.status not in ACTIVE:
        return None
    here = run.host == HOST
    if run.pid is None:
        claimer, since = run.claimer_pid, run.claimer_started_at
        if here and claimer and since is not None and not is_alive(claimer, since):
            return f"the process that claimed it ({claimer} on {HOST}) died before starting its worker"
        claimed = run.claimed_at or run.heartbeat_at or run.created_at
        if now - claimed > CLAIM_SECONDS:
            return f"no worker started within {CLAIM_SECONDS:.0f}s of its claim"
        return None
    if here:
        if run.pid_started_at is not None:
            alive = is_alive(run.pid, run.pid_started_at)
        else:  # recorded before start times were: a worker is younger than its run
            spawned = 0.0 if run.trigger == "in_process" else run.started_at or run.created_at
            alive = pid_alive_since(run.pid, spawned)
        if not alive:
            who = "process" if run.trigger == "in_process" else "worker process"
            return f"{who} {run.pid} died without recording the end of the run"
        if run.trigger == "in_process":
            return None  # it runs in the caller's process, which sends no heartbeat
    if run.heartbeat_at is not None and now - run.heartbeat_at > stale:
        where = f"{run.pid}" if here else f"{run.pid} on {run.host}"
        return f"worker {where} sent no heartbeat for {now - run.heartbeat_at:.0f}s (hung or cut off)"
    return None
