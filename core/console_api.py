"""The console's window on the engine: plain read models, a few actions, and the engine names the
console needs (re-exported in `__all__`).

The console (`dagdeck.tui`) imports nothing else from the engine: an import-linter contract
enforces it. Every `ConsoleAPI` method may block on the store, so the console calls them from
thread workers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagdeck.core.automation.backfill_actions import cancel_backfill, retry_failed
from dagdeck.core.automation.backfill_plan import chunks, new_backfill, partitions_def_of
from dagdeck.core.automation.backfill_states import BackfillView, backfill_view, find_backfill
from dagdeck.core.automation.watch import FileWatcher, files_watch  # cheap: watchdog loads on first watch
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.loader import CodeLocation, Loaded, load, location_files
from dagdeck.core.defs.partitions.run_partition import RunPartition
from dagdeck.core.defs.selection import parse_selection
from dagdeck.core.errors import DagdeckError, DefinitionError, did_you_mean
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.running.launcher import Launcher, assets_spec, job_spec
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.running.run_config import step_configs
from dagdeck.core.running.run_partitions import check_partition
from dagdeck.core.running.step_logs import step_log_path
from dagdeck.core.statuses import (
    FINISHED,
    AssetStatus,
    BackfillStatus,
    DaemonRole,
    InstigatorStatus,
    PartitionRunStatus,
    RunStatus,
    StepStatus,
    TickStatus,
    status_style,
)
from dagdeck.core.timefmt import iso, short_duration
from dagdeck.core.views.asset_health import CheckView, stale_or_missing
from dagdeck.core.views.console import AssetDetail, AssetRow, JobInfo, asset_detail, asset_rows, job_infos
from dagdeck.core.views.header import RunCounts, daemon_label, failed_count, run_counts
from dagdeck.core.views.partition_health import PartitionHealth, PartitionStatus, partition_health
from dagdeck.core.views.run_changes import RunChange, RunChangeKind, job_label, run_changes
from dagdeck.core.views.runs import RunView, StepView, fold_steps, run_view, settle_steps
from dagdeck.core.views.step_error import Frame, StepError, step_error
from dagdeck.core.views.stored_values import DROPPED_NOTE, missing_inputs, with_missing_inputs
from dagdeck.store import EventRow, Run

if TYPE_CHECKING:  # the automation modules pull in watchdog and croniter: load them when used
    from dagdeck.core.views.automation import AutomationRow, TickView

FAILED_REFRESH_S = 5.0
"""How often the header's failed-runs count is read again when no event came in between."""

__all__ = [
    "job_label",
    "AssetDetail",
    "AssetRow",
    "AssetStatus",
    "AutomationRow",
    "BackfillStatus",
    "BackfillView",
    "CheckView",
    "CodeLocation",
    "CompletionNames",
    "ConsoleAPI",
    "DROPPED_NOTE",
    "DaemonRole",
    "DagdeckError",
    "EventRow",
    "EventType",
    "FileWatcher",
    "Frame",
    "Instance",
    "InstigatorStatus",
    "JobInfo",
    "PartitionHealth",
    "PartitionRunStatus",
    "PartitionStatus",
    "Run",
    "RunChange",
    "RunChangeKind",
    "RunStatus",
    "RunView",
    "StepError",
    "StepStatus",
    "StepView",
    "TickStatus",
    "TickView",
    "did_you_mean",
    "files_watch",
    "iso",
    "short_duration",
    "status_style",
]


@dataclass(frozen=True)
class CompletionNames:
    """Names the console's command and filter lines complete with Tab."""

    assets: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    """Run ids, newest first."""


class ConsoleAPI:
    def __init__(self, instance: Instance, location: CodeLocation) -> None:
        self.instance = instance
        self.location = location
        self.launcher = Launcher(instance)
        self.loaded: Loaded | None = None
        self.load_error: DefinitionError | None = None
        self._rows: dict[str, AssetRow] = {}
        """The rows of the last `asset_rows()`: the detail pane reuses its row instead of a rescan."""
        self.daemon: Any = None
        """The console's own automation daemon (core.daemon.Daemon), when it runs one."""
        self._lock = threading.Lock()
        self._failed_seen: tuple[float, int] | None = None
        """(monotonic time, count) of the header's last failed-runs read."""
        self._failed_at_event = -1
        self.last_launched_run_id: str | None = None
        """The newest run this console started (the runs screen puts its cursor there)."""
        self.own_runs: set[str] = set()
        """Runs this console started or canceled: their start and cancel need no toast."""

    # -- the console's own daemon ----------------------------------------------------------------
    def start_daemon(self) -> Any:
        """Fire schedules and sensors from a thread of this process; returns the daemon (it has
        `stop()`). Call once the definitions are loaded."""
        from dagdeck.core.automation.daemon import Daemon  # croniter and watchdog load only when used

        assert self.loaded is not None, "start_daemon needs loaded definitions"
        self.daemon = Daemon(self.instance, self.loaded, watch_files=True)
        self.daemon.start()
        return self.daemon

    def prepare_launches(self) -> None:
        """Start the worker server in the background, so the console's first launch is quick;
        call once the first screen is painted (it costs a moment of CPU)."""
        self.launcher.prestart()

    # -- definitions ---------------------------------------------------------------------------
    def reload(self) -> DefinitionError | None:
        """Load the code location; on error keep the last good definitions."""
        try:
            loaded = load(self.location)
        except DefinitionError as err:
            self.load_error = err
            return err
        with self._lock:
            self.loaded, self.load_error = loaded, None
        if self.daemon is not None:
            self.daemon.set_definitions(loaded)
        return None

    @property
    def defs(self) -> Definitions | None:
        return self.loaded.defs if self.loaded else None

    @property
    def watched_files(self) -> list[Path]:
        return list(self.loaded.files) if self.loaded else location_files(self.location)

    @property
    def project_label(self) -> str:
        return Path(self.location.working_dir).name + " · " + self.location.label.rsplit("/", 1)[-1]

    @property
    def project_short(self) -> str:
        """The header's name at 80 columns: the file's name, or the module's top package."""
        loc = self.location
        return Path(loc.file).name if loc.file else (loc.module or "?").split(".", 1)[0]

    @property
    def store_label(self) -> str:
        url = self.instance.store.url
        return "sqlite" if url.startswith("sqlite") else url.split("://", 1)[0].split("+", 1)[0]

    @property
    def store_problem(self) -> str | None:
        """What is wrong with the store connection right now (while the store retries), if anything."""
        return self.instance.store.connection_problem

    # -- assets --------------------------------------------------------------------------------
    def asset_rows(self) -> list[AssetRow]:
        defs = self.defs
        if defs is None:
            return []
        rows = asset_rows(defs, self.instance.store)
        self._rows = {r.key: r for r in rows}
        return rows

    def asset_detail(self, key: str, history: int = 50) -> AssetDetail | None:
        defs = self.defs
        if defs is None or AssetKey(key) not in defs.asset_graph.assets:
            return None
        row = self._rows.get(key)
        if row is None:
            row = next((r for r in self.asset_rows() if r.key == key), None)
        return asset_detail(defs, self.instance.store, row, history) if row else None

    def stale_assets(self) -> list[str]:
        """Stale and never-materialized assets in dependency order (what `S` materializes)."""
        defs = self.defs
        return stale_or_missing(defs, self.instance.store) if defs else []

    def missing_inputs(self, keys: list[str]) -> dict[str, dict[str, str]]:
        """Selected asset -> {upstream outside the selection: why it has no stored value}: what a
        run of `keys` would fail to load (MissingInput)."""
        defs = self.defs
        return missing_inputs(defs, self.instance.store, keys) if defs else {}

    def with_missing_inputs(self, keys: list[str]) -> list[str]:
        """`keys` plus every upstream a run of them could not load, in graph order."""
        defs = self.defs
        return with_missing_inputs(defs, self.instance.store, keys) if defs else keys

    def resolve_selection(self, text: str) -> list[str]:
        defs = self.defs
        if defs is None:
            return []
        keys = parse_selection(text).resolve(defs.asset_graph)
        return [k.to_user_string() for k in defs.asset_graph.toposorted if k in keys]

    def with_required_neighbors(self, keys: list[str]) -> list[str]:
        """`keys` plus the assets that must run with them (the rest of a multi-asset that cannot
        subset), in graph order: what the console asks to confirm."""
        defs = self.defs
        if defs is None:
            return keys
        wanted = defs.asset_graph.required_neighbors(AssetKey(k) for k in keys)
        return [k.to_user_string() for k in defs.asset_graph.toposorted if k in wanted]

    def with_downstream(self, keys: list[str]) -> list[str]:
        defs = self.defs
        if defs is None:
            return keys
        closure = defs.asset_graph.downstream_closure(AssetKey(k) for k in keys)
        return [k.to_user_string() for k in defs.asset_graph.toposorted if k in closure]

    # -- jobs ----------------------------------------------------------------------------------
    def jobs(self) -> list[JobInfo]:
        defs = self.defs
        return job_infos(defs) if defs else []

    # -- names the console completes -----------------------------------------------------------
    def completion_names(self, recent_runs: int = 50) -> CompletionNames:
        """What Tab completes in the `:` and `/` lines: asset keys, groups, jobs and the ids of
        the newest runs (reads the store: call it from a worker)."""
        defs = self.defs
        assets: list[str] = []
        groups: list[str] = []
        jobs: list[str] = []
        if defs is not None:
            graph = defs.asset_graph
            assets = [k.to_user_string() for k in graph.toposorted]
            groups = sorted({graph.assets[k].group_name for k in graph.toposorted})
            jobs = sorted(defs.job_names)
        runs = [r.run_id for r in self.instance.store.list_runs(limit=recent_runs)]
        return CompletionNames(tuple(assets), tuple(groups), tuple(jobs), tuple(runs))

    # -- actions -------------------------------------------------------------------------------
    def _require_defs(self) -> Definitions:
        if self.defs is None:
            raise DagdeckError(f"definitions did not load: {self.load_error}")
        return self.defs

    def materialize(self, keys: list[str], trigger: str = "console") -> Run:
        spec, _ = assets_spec(
            self._require_defs(),
            self.location,
            [AssetKey(k) for k in keys],
            tags={"dagdeck/selection": ",".join(keys[:20])},
            trigger=trigger,
        )
        return self._launched(self.launcher.submit(spec))

    def launch_job(self, name: str, run_config: dict[str, Any] | None = None, trigger: str = "console") -> Run:
        spec, plan = job_spec(self._require_defs(), self.location, name, run_config=run_config, trigger=trigger)
        step_configs(plan, spec.run_config)
        return self._launched(self.launcher.submit(spec))

    def _launched(self, run: Run) -> Run:
        self.own_runs.add(run.run_id)
        self.last_launched_run_id = run.run_id
        return run

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
        active = self.instance.store.runs_by_status([RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING])
        return sum(run.status not in FINISHED for run in self._judged(active))

    def get_run(self, run_id: str) -> Run | None:
        store = self.instance.store
        run = store.get_run(run_id) or store.find_run(run_id)
        return self.launcher.fresh(run) if run is not None else None

    def _judged(self, runs: list[Run]) -> list[Run]:
        """`runs` after judging the workers of the unfinished ones (a readonly console reads here
        too): a run whose worker died ends FAILURE, and its slot goes to the next queued run."""
        ended = set(self.launcher.check([run for run in runs if run.status not in FINISHED]))
        if not ended:
            return runs
        self.launcher.drain()
        store = self.instance.store
        return [(store.get_run(run.run_id) or run) if run.run_id in ended else run for run in runs]

    def run_view(self, run_id: str) -> RunView | None:
        run = self.get_run(run_id)
        return run_view(self.instance.store, run) if run else None

    def run_events(self, run_id: str, after_id: int = 0, limit: int = 2000) -> list[EventRow]:
        return self.instance.store.get_events(run_id=run_id, after_id=after_id, limit=limit)

    def steps_from(self, run: Run, events: list[EventRow], steps: dict[str, StepView] | None = None) -> dict[str, StepView]:
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

    # -- automation ----------------------------------------------------------------------------
    def automation_rows(self) -> list[AutomationRow]:
        from dagdeck.core.views.automation import list_automation

        defs = self.defs
        return list_automation(defs, self.instance.store) if defs else []

    def toggle_automation(self, name: str) -> str:
        from dagdeck.core.views.automation import toggle

        defs = self._require_defs()
        return toggle(defs, self.instance.store, name).status

    def tick_history(self, name: str, limit: int = 30) -> list[TickView]:
        from dagdeck.core.views.automation import tick_history

        return tick_history(self.instance.store, name, limit)

    def evaluate_sensor(self, name: str) -> str:
        """`t`: ask the leading daemon to evaluate now, or evaluate and launch here."""
        from dagdeck.core.views.automation import evaluate_sensor_now

        if self.daemon is not None and self.daemon.is_leader:
            self.daemon.request_sensor_tick(name)
            return f"sensor {name}: evaluation requested"
        if self.loaded is None:
            raise DagdeckError(f"definitions did not load: {self.load_error}")
        preview = evaluate_sensor_now(self.instance, self.loaded, name, launcher=self.launcher, launch=True)
        self.launcher.drain()
        ev = preview.evaluation
        if ev.error:
            return f"sensor {name} failed: {ev.error.strip().splitlines()[-1]}"
        if ev.skip_reason and not preview.run_ids:
            return f"sensor {name} skipped: {ev.skip_reason}"
        return f"sensor {name}: launched {len(preview.run_ids)} run(s)"

    def daemon_state(self) -> str:
        """leader / standby for the console's own daemon, else running / off seen through the lease."""
        if self.daemon is not None:
            return str(self.daemon.status().state)
        from dagdeck.core.views.automation import daemon_info

        return daemon_info(self.instance.store).state

    def daemon_label(self) -> str:
        """The header's `daemon: ...`: `this console`, `pid N on host` or `off`."""
        from dagdeck.core.views.automation import daemon_info

        own = self.daemon.status() if self.daemon is not None else None
        if own is not None and own.state == DaemonRole.LEADER:
            return daemon_label(own, None, None)
        info = daemon_info(self.instance.store)
        return daemon_label(own, info.state, info.owner)

    def run_counts(self, now: float | None = None) -> RunCounts:
        """Running (judged), queued and recently failed runs, for the header. The failures (a list
        query) are read again every FAILED_REFRESH_S, or after new events at most once a second."""
        mono, event = time.monotonic(), self.last_event_id()
        seen = self._failed_seen
        age = mono - seen[0] if seen else FAILED_REFRESH_S
        if age >= FAILED_REFRESH_S or (age >= 1.0 and event != self._failed_at_event):
            seen = self._failed_seen = (mono, failed_count(self.instance.store, now))
            self._failed_at_event = event
        assert seen is not None
        return run_counts(self.instance.store, self.active_run_count(), now, seen[1])

    def quit_warning(self) -> str | None:
        """What stops when this console quits: its daemon fires the schedules and sensors that are
        on only while it holds the lease. None when nothing would stop."""
        if self.daemon is None or not self.daemon.is_leader:
            return None
        on = [r.name for r in self.automation_rows() if r.status == InstigatorStatus.RUNNING]
        if not on:
            return None
        names = ", ".join(on[:6]) + (f" and {len(on) - 6} more" if len(on) > 6 else "")
        return (
            f"This console runs the daemon: {len(on)} schedule(s)/sensor(s) stop firing when it quits ({names}).\n"
            "Keep them firing with `dagdeck daemon` in another terminal or as a service."
        )

    # -- backfills -------------------------------------------------------------------------------
    def backfills(self, limit: int = 100) -> list[BackfillView]:
        """Backfills newest first, each with its partitions' states (for the Backfills screen)."""
        store = self.instance.store
        return [backfill_view(store, b) for b in store.list_backfills(limit=limit)]

    def backfill(self, backfill_id: str) -> BackfillView | None:
        """One backfill by id or unique prefix, or None."""
        store = self.instance.store
        found = store.find_backfill(backfill_id)
        return backfill_view(store, found) if found is not None else None

    def backfill_runs(self, backfill_id: str) -> list[Run]:
        """The runs a backfill launched, in launch order (unfinished ones judged)."""
        store = self.instance.store
        runs = [store.get_run(run_id) for _chunk, run_id, _status in store.backfill_runs(backfill_id)]
        return self._judged([r for r in runs if r is not None])

    def partition_keys(self, keys: list[str]) -> list[str]:
        """Every partition key the selected assets share (DagdeckError if they share none)."""
        defs = self._require_defs()
        pdef = partitions_def_of(defs, [AssetKey(k) for k in keys])
        return list(pdef.get_partition_keys(dynamic_partitions_store=self.instance.store))

    def partition_health(self, key: str) -> PartitionHealth | None:
        """Each partition of one asset with its status (the metadata pane's strip and the
        partition view), or None for an unpartitioned asset."""
        defs = self._require_defs()
        akey = AssetKey(key)
        asset = defs.asset_graph.assets.get(akey)
        pdef = asset.spec.partitions_def if asset is not None else None
        if pdef is None:
            return None
        return partition_health(self.instance.store, key, pdef)

    def partitioned(self, keys: list[str]) -> list[str]:
        """Which of `keys` are partitioned assets (they run one partition at a time, never whole)."""
        assets = self._require_defs().asset_graph.assets
        return [k for k in keys if (a := assets.get(AssetKey(k))) is not None and a.spec.partitions_def is not None]

    def materialize_partition(self, keys: list[str], partition_key: str) -> Run:
        """A run of one partition of the selected assets (`materialize --partition KEY`'s check
        and tags)."""
        defs = self._require_defs()
        partition = RunPartition(partition_key, partition_key)
        asset_keys = [AssetKey(k) for k in keys]
        check_partition(defs, asset_keys, partition, self.instance.store)
        spec, _ = assets_spec(
            defs,
            self.location,
            asset_keys,
            tags={"dagdeck/selection": ",".join(keys[:20]), **partition.tags()},
            trigger="console",
        )
        return self._launched(self.launcher.submit(spec))

    def backfill_run_count(self, keys: list[str], partition_keys: list[str]) -> int:
        """How many runs a backfill of these partitions would start (the confirm dialog says it)."""
        defs = self._require_defs()
        draft = new_backfill(defs, self.location, ",".join(keys), [AssetKey(k) for k in keys], partition_keys)
        return len(chunks(draft))

    def launch_backfill(self, keys: list[str], partition_keys: list[str]) -> BackfillView:
        """Record a backfill of `partition_keys` for the selected assets; the daemon launches it."""
        defs = self._require_defs()
        asset_keys = [AssetKey(k) for k in keys]
        partitions_def_of(defs, asset_keys)  # refuse unpartitioned or mixed selections up front
        backfill = new_backfill(defs, self.location, ",".join(keys), asset_keys, partition_keys)
        self.instance.store.add_backfill(backfill)
        if self.daemon is not None:
            self.daemon.wake()
        return backfill_view(self.instance.store, backfill)

    def cancel_backfill(self, backfill_id: str) -> BackfillView:
        store = self.instance.store
        backfill = find_backfill(store, backfill_id)
        # the console cancels these runs: no "canceled elsewhere" toast for them
        self.own_runs.update(run_id for _chunk, run_id, _status in store.backfill_runs(backfill.backfill_id))
        return backfill_view(store, cancel_backfill(store, self.launcher, backfill))

    def retry_backfill(self, backfill_id: str, partition_keys: list[str] | None = None) -> BackfillView:
        """A new backfill of the failed partitions of an ended one (or of just `partition_keys`
        among them)."""
        store = self.instance.store
        retry = retry_failed(store, find_backfill(store, backfill_id), partition_keys)
        if self.daemon is not None:
            self.daemon.wake()
        return backfill_view(store, retry)
