"""The console's launches and cancels, and its run reads."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.errors import DagdeckError
from dagdeck.core.events import EventType
from dagdeck.core.running.launcher import assets_spec, job_spec
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.running.run_config import step_configs
from dagdeck.core.running.step_logs import step_log_path
from dagdeck.core.statuses import (
    FINISHED,
    RunStatus,
)
from dagdeck.core.views.run_changes import RunChange, run_changes
from dagdeck.core.views.runs import RunView, StepView, fold_steps, run_view, settle_steps
from dagdeck.core.views.step_error import StepError, step_error
from dagdeck.store import EventRow, Run

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    pass

from dagdeck.core.console_api.base import ConsoleBase


class RunsAPI(ConsoleBase):
    # -- actions -------------------------------------------------------------------------------
    def materialize(self, keys: list[str], trigger: str = "console") -> Run:
        spec, _ = assets_spec(
            self._require_defs(),
            self.location,
            [AssetKey(k) for k in keys],
            tags={"dagdeck/selection": ",".join(keys[:20])},
            trigger=trigger,
        )
        return self._launched(self.launcher.submit(spec))

    def launch_job(
        self, name: str, run_config: dict[str, Any] | None = None, trigger: str = "console"
    ) -> Run:
        spec, plan = job_spec(
            self._require_defs(), self.location, name, run_config=run_config, trigger=trigger
        )
        step_configs(plan, spec.run_config)
        return self._launched(self.launcher.submit(spec))

    def validate_job_config(self, name: str, run_config: dict[str, Any]) -> None:
        step_configs(plan_job(self._require_defs(), name), run_config)

    def job_config_scaffold(self, name: str) -> dict[str, Any]:
        """The run config `L` starts from: the job's Config classes and defaults, required values null."""
        from dagdeck.core.views.config_scaffold import config_scaffold

        return config_scaffold(self._require_defs(), name)

    def last_runs(self, job_names: list[str]) -> dict[str, Run]:
        """The newest run of each job (judged: a dead worker's run reads FAILURE), for the jobs list."""
        store = self.instance.store
        newest = [runs[0] for name in job_names if (runs := store.list_runs(job=name, limit=1))]
        return {run.job_name: run for run in self._judged(newest)}

    def cancel(self, run_id: str) -> RunStatus | None:
        self.own_runs.add(run_id)
        return self.launcher.cancel(run_id)

    def reexecute(self, run_id: str, from_failure: bool) -> Run:
        parent = self.instance.store.get_run(run_id)
        if parent is None:
            raise DagdeckError(f"no run {run_id}")
        try:
            return self._launched(self.launcher.reexecute(parent, from_failure, trigger="console"))
        except ValueError as err:
            raise DagdeckError(str(err)) from None

    def watch(self) -> list[str]:
        """Detect dead workers and start queued runs; the console calls it every few seconds."""
        return self.launcher.watch()

    # -- runs ----------------------------------------------------------------------------------
    def runs(
        self,
        statuses: list[str] | None = None,
        job: str | None = None,
        text: str | None = None,
        limit: int = 100,
        offset: int = 0,
        tags: dict[str, str] | None = None,
    ) -> list[Run]:
        """Runs newest first; `tags`: only runs with these tag values (`dagster/partition`...)."""
        runs = self.instance.store.list_runs(
            statuses=statuses, job=job, text=text, limit=limit, offset=offset, tags=tags
        )
        return self._judged(runs)

    def count_runs(
        self,
        statuses: list[str] | None = None,
        job: str | None = None,
        text: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> int:
        return self.instance.store.count_runs(statuses=statuses, job=job, text=text, tags=tags)

    def active_run_count(self) -> int:
        active = self.instance.store.runs_by_status(
            [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING]
        )
        return sum(run.status not in FINISHED for run in self._judged(active))

    def get_run(self, run_id: str) -> Run | None:
        store = self.instance.store
        run = store.get_run(run_id) or store.find_run(run_id)
        return self.launcher.fresh(run) if run is not None else None

    def run_view(self, run_id: str) -> RunView | None:
        run = self.get_run(run_id)
        return run_view(self.instance.store, run) if run else None

    def run_events(self, run_id: str, after_id: int = 0, limit: int = 2000) -> list[EventRow]:
        return self.instance.store.get_events(run_id=run_id, after_id=after_id, limit=limit)

    def steps_from(
        self, run: Run, events: list[EventRow], steps: dict[str, StepView] | None = None
    ) -> dict[str, StepView]:
        steps = fold_steps(run, events, steps)
        if run.status in FINISHED:
            settle_steps(run, steps)
        return steps

    def last_event_id(self) -> int:
        return self.instance.store.last_event_id()

    def run_changes(self, after_id: int) -> list[RunChange]:
        """Runs started, canceled or failed since event `after_id` (the console's toasts)."""
        return run_changes(self.instance.store, after_id)

    def step_error(self, run_id: str, step: StepView) -> StepError:
        """A failed step's error for the error view, with its last stderr lines."""
        stderr = self.step_log(run_id, step.key, "stderr", max_bytes=20_000)
        return step_error(step.key, step.error, step.traceback, stderr, attempt=step.attempts or 1)

    def canceling_since(self, run_id: str) -> float | None:
        """When the cancel of `run_id` was requested (its RUN_CANCELING event), if it was."""
        events = self.instance.store.get_events(run_id=run_id, event_types=[EventType.RUN_CANCELING], limit=1)
        return events[0].timestamp if events else None

    @property
    def cancel_grace_seconds(self) -> float:
        """How long a canceled run's steps get to stop before they are killed."""
        return float(self.instance.settings.cancel_grace_seconds)

    def step_log(self, run_id: str, step_key: str, stream: str, max_bytes: int = 200_000) -> str:
        path = step_log_path(self.instance.run_logs_dir(run_id), step_key, stream)
        if not path.exists():
            return ""
        size = path.stat().st_size
        with open(path, encoding="utf-8", errors="replace") as f:
            if size > max_bytes:
                f.seek(size - max_bytes)
                f.readline()
            return f.read()

    def step_log_since(self, run_id: str, step_key: str, stream: str, offset: int) -> tuple[str, int]:
        """What a step's stdout or stderr file gained since byte `offset`, and the new offset: how the
        console follows a running step's output without reading the file again each poll."""
        path = step_log_path(self.instance.run_logs_dir(run_id), step_key, stream)
        if not path.exists():
            return "", offset
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
        cut = data.rfind(b"\n") + 1  # a partial last line waits for its end
        return data[:cut].decode("utf-8", errors="replace"), offset + cut

    def now(self) -> float:
        return time.time()
