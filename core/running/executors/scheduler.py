"""The one scheduling loop of every executor: which steps are ready, which are skipped, when a run
is done, and what a cancel does.

An executor supplies a `StepRunner`, which only knows how to start one step and how to hear that
steps finished (a thread pool, forked processes, Dask tasks); the loop around it is the same for all.
Steps are released when their upstream steps are over (`Progress`): a step whose upstream did not
all succeed is skipped instead of started (a failed blocking check is an upstream of its asset's
dependents), and so is one whose input is an optional output that was not yielded. Mapped steps
(`op[key]`) are added when the dynamic output they map is known.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from dagdeck.core.defs.dynamic import mapped_key
from dagdeck.core.events import EventType, make_event
from dagdeck.core.running.dynamic_steps import (
    Manifest,
    find_manifest,
    instance_of,
    instance_upstream,
    read_manifest,
    write_manifest,
)
from dagdeck.core.running.plan import ExecutionPlan, LinkKind, Source, Step
from dagdeck.core.running.run_env import RunEnv
from dagdeck.core.statuses import StepStatus


@dataclass
class ExecutionResult:
    outcomes: dict[str, StepStatus] = field(default_factory=dict)
    """Step key -> succeeded, failed, canceled or skipped."""
    hung: list[str] = field(default_factory=list)
    """Steps still running after the cancel grace period (their threads cannot be stopped)."""

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.outcomes.items() if v == StepStatus.FAILED]


class StepRunner(Protocol):
    """How one executor runs steps; `schedule` decides which and when."""

    limit: int | None
    """At most this many steps at once (None: no limit)."""

    def start(self, step: Step) -> None:
        """Start `step`; it must be reported by `finished` once it is over."""

    def finished(self, timeout: float) -> list[tuple[str, StepStatus | None]]:
        """Steps over since the last call, waiting up to `timeout` for the first; a step whose
        runner never ran it (the run was canceled first) is reported with None."""

    def interrupt(self) -> None:
        """The run is canceled (running steps already see `context.is_canceled()`): push them to stop."""

    def abandon(self, keys: list[str]) -> list[str]:
        """The cancel grace period is over and `keys` still run: stop what can be stopped (those are
        reported by `finished` later) and return the keys that never will be."""


def schedule(plan: ExecutionPlan, env: RunEnv, runner: StepRunner, grace_seconds: float) -> ExecutionResult:
    """Run `plan` through `runner`; on cancel, stop starting steps, give running ones `grace_seconds`,
    record hung ones as canceled and never-started ones as skipped."""
    result = ExecutionResult()
    outcomes = result.outcomes
    progress = Progress(plan, env)
    ready = progress.ready
    waiting: deque[Step] = deque()
    running: set[str] = set()
    limit = runner.limit
    canceled = env.cancel_event

    def collect(timeout: float) -> None:
        for key, outcome in runner.finished(timeout):
            running.discard(key)
            if outcome is not None:
                outcomes[key] = outcome
            progress.done(key, outcome)

    while (ready or waiting or running) and not canceled.is_set():
        while ready:
            step = progress.steps[ready.popleft()]
            reason = progress.skip_reason(step, outcomes)
            if reason is None:
                waiting.append(step)
            else:
                if progress.missing_input:
                    progress.yielded_nothing(step)
                emit_skip(env, step, reason)
                outcomes[step.key] = StepStatus.SKIPPED
                progress.done(step.key, StepStatus.SKIPPED)
        while waiting and (limit is None or len(running) < limit) and not canceled.is_set():
            step = waiting.popleft()
            runner.start(step)
            running.add(step.key)
        if running:
            collect(0.25)
        # else: skips may have released more steps, which the next round takes
    if canceled.is_set():
        runner.interrupt()
        deadline = time.monotonic() + grace_seconds
        while running and time.monotonic() < deadline:
            collect(0.1)
        hung = set(runner.abandon(sorted(running))) if running else set()
        while running - hung:
            collect(1.0)
        result.hung = sorted(hung)
        _finish_canceled(env, progress.steps, result)
    return result


class Progress:
    """Which steps may start: each step's unfinished upstream steps and who waits on whom.

    Mapped steps are planned as templates; when the step yielding their dynamic output ends, each
    template is replaced by one instance per mapping key (`op[key]`) and whatever waited on the
    template (a collect) waits on all of them. Steps with dynamic or optional outputs have their
    manifest read when they succeed (core/running/dynamic_steps.py); no other step costs anything
    more than a set update.
    """

    def __init__(self, plan: ExecutionPlan, env: RunEnv) -> None:
        self.env = env
        self.steps: dict[str, Step] = dict(plan.steps)
        self.upstream: dict[str, set[str]] = {k: set(s.upstream) for k, s in plan.steps.items()}
        self.pending: dict[str, set[str]] = {k: set(ups) for k, ups in self.upstream.items()}
        self.dependents: dict[str, list[str]] = {k: [] for k in plan.steps}
        for key, ups in self.upstream.items():
            for up in ups:
                self.dependents.setdefault(up, []).append(key)
        self.templates: dict[str, list[str]] = {}
        """Step key of a dynamic op -> its mapped templates not expanded yet, in plan order."""
        for key, step in plan.steps.items():
            if step.is_template:
                assert step.mapped_by is not None
                self.templates.setdefault(step.mapped_by[0], []).append(key)
        self.template_keys: frozenset[str] = frozenset(k for ks in self.templates.values() for k in ks)
        self.yielded: dict[str, Manifest] = {}
        """What steps with optional or dynamic outputs yielded; steps skipped for a missing input
        are here too, having yielded nothing."""
        self.missing_input = False
        self.finished: set[str] = set()
        """Steps over, kept only while some template waits for expansion."""
        self.ready: deque[str] = deque(
            k for k, s in plan.steps.items() if not self.pending[k] and not s.is_template
        )
        for origin in [o for o in self.templates if o not in plan.steps]:
            # the dynamic op is not in this run (a re-execution): its mapping keys come from the earlier run
            manifest = find_manifest(env.storage_dir, env.prior_run_ids, origin)
            self._expand(origin, manifest)

    def done(self, key: str, outcome: StepStatus | None) -> None:
        """`key` is over: read what it yielded if that matters, expand what maps over it, and
        release the steps that waited only for it. The common step costs a few dict lookups."""
        step = self.steps[key]
        manifest = None
        if (step.dynamic_outputs or step.optional_outputs) and outcome == StepStatus.SUCCEEDED:
            manifest = read_manifest(self.env.storage_dir, self.env.run_id, key)
            if manifest is not None:
                self.yielded[key] = manifest
        if self.templates:
            self.finished.add(key)
            if key in self.templates:
                self._expand(key, manifest if outcome == StepStatus.SUCCEEDED else None)
        pending_of, ready, templates = self.pending, self.ready, self.template_keys
        for dep in self.dependents.get(key, ()):
            pending = pending_of.get(dep)
            if pending is None:  # a template, since replaced by its instances
                continue
            pending.discard(key)
            if not pending and dep not in templates:
                ready.append(dep)

    def _expand(self, origin: str, manifest: Manifest | None) -> None:
        """Replace the templates mapped over `origin`'s dynamic outputs by their instances; with no
        manifest (the dynamic op did not succeed) there are none and the waiting steps are blocked
        by `origin` itself."""
        templates = self.templates.pop(origin)
        names = set(templates)
        instances: dict[str, list[str]] = {}
        for tkey in templates:
            template = self.steps[tkey]
            assert template.mapped_by is not None
            keys = manifest.mapping_keys.get(template.mapped_by[1], []) if manifest is not None else []
            instances[tkey] = []
            for mapping_key in keys:
                ups = instance_upstream(template, mapping_key, names)
                step = instance_of(template, mapping_key, ups)
                self.steps[step.key] = step
                self.upstream[step.key] = ups
                self.pending[step.key] = {u for u in ups if u not in self.finished}
                self.dependents[step.key] = []
                for up in self.pending[step.key]:
                    self.dependents.setdefault(up, []).append(step.key)
                config = self.env.configs.get(tkey)
                if config is not None:
                    self.env.configs[step.key] = config
                instances[tkey].append(step.key)
        for tkey in templates:  # whoever waited on a template (a collect) waits on its instances
            for dep in self.dependents.pop(tkey, []):
                if dep in names:
                    continue
                replacement = instances[tkey] or ([] if manifest is not None else [origin])
                self.upstream[dep].discard(tkey)
                self.upstream[dep].update(replacement)
                self.pending[dep].discard(tkey)
                for k in replacement:
                    if k not in self.finished:
                        self.pending[dep].add(k)
                        self.dependents[k].append(dep)
                if not self.pending[dep] and not self.steps[dep].is_template:
                    self.ready.append(dep)
            del self.pending[tkey]
            del self.steps[tkey]
            del self.upstream[tkey]
        for key in [k for ks in instances.values() for k in ks]:
            if not self.pending[key]:
                self.ready.append(key)

    def skip_reason(self, step: Step, outcomes: dict[str, StepStatus]) -> str | None:
        """Why `step` must not start: an upstream step that did not succeed (the first by name), or
        an input whose upstream output was not yielded (then `missing_input` is set)."""
        self.missing_input = False
        bad = [
            up
            for up in self.upstream[step.key]
            if outcomes.get(up) != StepStatus.SUCCEEDED and up not in self.yielded
        ]
        if bad:
            return f"upstream step {min(bad)} did not succeed"
        if not self.yielded:
            return None
        self.missing_input = True
        for inp in step.inputs.values():
            missing = [s for s in inp.sources if s.optional and not self._was_yielded(s, step)]
            if missing and (not inp.fan_in or len(missing) == len(inp.sources)):
                src = missing[0]
                return f"upstream output {src.output!r} of step {src.step_key} was not yielded"
        for src in step.waits_for:
            if not self._was_yielded(src, step):
                return f"upstream output {src.output!r} of step {src.step_key} was not yielded"
        self.missing_input = False
        return None

    def yielded_nothing(self, step: Step) -> None:
        """`step` is skipped for a missing input: to its consumers it yielded nothing, as in Dagster
        (a fan-in downstream still runs with the other values). The manifest tells loaders elsewhere."""
        manifest = Manifest(frozenset(), {})
        self.yielded[step.key] = manifest
        write_manifest(self.env.storage_dir, self.env.run_id, step.key, manifest)

    def _was_yielded(self, src: Source, step: Step) -> bool:
        key = src.step_key
        if src.dynamic is not None and src.dynamic.kind is LinkKind.MAPPED and step.mapping_key is not None:
            key = mapped_key(key, step.mapping_key)
        manifest = self.yielded.get(key)
        return manifest is None or src.output in manifest.outputs


def emit_skip(env: RunEnv, step: Step, reason: str) -> None:
    env.emit(
        make_event(
            EventType.STEP_SKIPPED,
            env.run_id,
            step_key=step.key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message=reason,
        )
    )


def record_lost_step(env: RunEnv, step: Step, reason: str) -> StepStatus:
    """A step whose process or task ended without recording its own end: it failed, or it was
    canceled when its run is being canceled."""
    canceled = env.cancel_event.is_set()
    _emit_failure(env, step, "canceled" if canceled else reason, reason, canceled)
    return StepStatus.CANCELED if canceled else StepStatus.FAILED


def _finish_canceled(env: RunEnv, steps: dict[str, Step], result: ExecutionResult) -> None:
    """Steps that never started are skipped; hung ones are recorded as canceled."""
    for key in result.hung:
        _emit_failure(env, steps[key], "canceled", "canceled", True)
        result.outcomes[key] = StepStatus.CANCELED
    for key, step in steps.items():
        if key not in result.outcomes and not step.is_template:
            emit_skip(env, step, "run canceled before this step started")
            result.outcomes[key] = StepStatus.SKIPPED


def _emit_failure(env: RunEnv, step: Step, message: str, error: str, canceled: bool) -> None:
    env.emit(
        make_event(
            EventType.STEP_FAILURE,
            env.run_id,
            step_key=step.key,
            asset_key=step.asset_key.to_user_string() if step.asset_key else None,
            message=message,
            level="ERROR",
            error=error,
            canceled=canceled,
        )
    )
