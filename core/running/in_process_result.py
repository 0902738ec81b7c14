"""What `execute_in_process` and `dg.materialize` return: Dagster's `ExecuteInProcessResult`, read
from the run's recorded events (so it says exactly what the console would show for the run).

Events are wrapped as `DagsterEvent`s with the attributes Dagster's own tests read
(`event_type_value`, `step_key`, `is_step_success`, `step_materialization_data.materialization`...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.check_specs import AssetCheckKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.io_managers import IOContext, load_stored_value
from dagdeck.core.defs.metadata import MetadataValue
from dagdeck.core.events import EventType
from dagdeck.core.instance import Instance
from dagdeck.core.running.execute_run import RunOutcome
from dagdeck.core.running.instance_reads import _entry
from dagdeck.core.running.run_env import resources_for
from dagdeck.core.running.run_resources import init_run_resources
from dagdeck.core.running.step_status import RunView, run_view
from dagdeck.core.statuses import RunStatus
from dagdeck.store import EventRow

# Dagster still calls run events PIPELINE_*
_DAGSTER_TYPE = {
    EventType.RUN_START: "PIPELINE_START",
    EventType.RUN_SUCCESS: "PIPELINE_SUCCESS",
    EventType.RUN_FAILURE: "PIPELINE_FAILURE",
    EventType.RUN_CANCELED: "PIPELINE_CANCELED",
    EventType.RUN_CANCELING: "PIPELINE_CANCELING",
    EventType.RUN_STARTING: "PIPELINE_STARTING",
    EventType.RUN_ENQUEUED: "PIPELINE_ENQUEUED",
}


_NOT_IN_RESULTS = frozenset({EventType.LOG, EventType.RUN_ENQUEUED})
"""Not among Dagster's in-process events: log lines, and the queueing an in-process run skips."""


def _metadata(raw: Any) -> dict[str, Any]:
    return {
        k: MetadataValue(v.get("type", "text"), v.get("value")) if isinstance(v, dict) else v
        for k, v in (raw or {}).items()
    }


@dataclass(frozen=True)
class AssetCheckEvaluation:
    """One check's verdict in a run (Dagster's `AssetCheckEvaluation`)."""

    asset_key: AssetKey
    check_name: str
    passed: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    severity: str = "ERROR"
    description: str | None = None

    @property
    def asset_check_key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.check_name)


@dataclass(frozen=True)
class DagsterEvent:
    """A recorded event with Dagster's attribute names."""

    row: EventRow

    @property
    def event_type_value(self) -> str:
        return _DAGSTER_TYPE.get(EventType(self.row.event_type), self.row.event_type)

    @property
    def event_type(self) -> str:
        return self.event_type_value

    @property
    def step_key(self) -> str | None:
        return self.row.step_key

    @property
    def node_name(self) -> str | None:
        return self.row.step_key.split("[", 1)[0] if self.row.step_key else None

    @property
    def job_name(self) -> str:
        return str(self.row.data.get("job_name", ""))

    @property
    def message(self) -> str:
        return self.row.message

    @property
    def asset_key(self) -> AssetKey | None:
        return AssetKey(self.row.asset_key.split("/")) if self.row.asset_key else None

    def _is(self, kind: EventType) -> bool:
        return self.row.event_type == kind

    is_step_start = property(lambda self: self._is(EventType.STEP_START))
    is_step_success = property(lambda self: self._is(EventType.STEP_SUCCESS))
    is_step_failure = property(lambda self: self._is(EventType.STEP_FAILURE))
    is_step_skipped = property(lambda self: self._is(EventType.STEP_SKIPPED))
    is_successful_output = property(lambda self: self._is(EventType.STEP_OUTPUT))
    is_step_materialization = property(lambda self: self._is(EventType.ASSET_MATERIALIZATION))
    is_asset_observation = property(lambda self: self._is(EventType.ASSET_OBSERVATION))
    is_asset_check_evaluation = property(lambda self: self._is(EventType.ASSET_CHECK_EVALUATION))
    is_run_success = property(lambda self: self._is(EventType.RUN_SUCCESS))
    is_run_failure = property(lambda self: self._is(EventType.RUN_FAILURE))
    is_pipeline_success = is_run_success
    is_pipeline_failure = is_run_failure

    @property
    def is_failure(self) -> bool:
        return self.row.event_type in (EventType.STEP_FAILURE, EventType.RUN_FAILURE)

    @property
    def step_materialization_data(self) -> Any:
        """`.materialization` is the `AssetMaterialization` with `MetadataValue`s."""
        entry = _entry(self.row)
        return SimpleNamespace(materialization=entry.asset_materialization or entry.asset_observation)

    @property
    def asset_observation_data(self) -> Any:
        return SimpleNamespace(asset_observation=_entry(self.row).asset_observation)

    @property
    def step_output_data(self) -> Any:
        return SimpleNamespace(
            output_name=self.row.data.get("output", "result"), mapping_key=self._mapping_key
        )

    @property
    def _mapping_key(self) -> str | None:
        key = self.row.step_key or ""
        return key[key.index("[") + 1 : -1] if key.endswith("]") and "[" in key else None

    @property
    def step_failure_data(self) -> Any:
        """`.error.message` / `.error.cls_name` / `.error.stack` of the failed step."""
        text = str(self.row.data.get("error") or self.row.message)
        cls_name, _, _ = text.partition(":")
        error = SimpleNamespace(message=text, cls_name=cls_name, stack=self.row.data.get("traceback") or "")
        return SimpleNamespace(error=error, user_failure_data=None)

    @property
    def asset_check_evaluation_data(self) -> AssetCheckEvaluation:
        d = self.row.data
        return AssetCheckEvaluation(
            asset_key=AssetKey((self.row.asset_key or "").split("/")),
            check_name=str(d.get("check_name")),
            passed=bool(d.get("passed")),
            metadata=_metadata(d.get("metadata")),
            severity=str(d.get("severity", "ERROR")),
            description=d.get("description"),
        )

    @property
    def event_specific_data(self) -> Any:
        if self.is_step_materialization:
            return self.step_materialization_data
        if self.is_step_failure:
            return self.step_failure_data
        if self.is_asset_check_evaluation:
            return self.asset_check_evaluation_data
        return SimpleNamespace(**self.row.data)

    def __repr__(self) -> str:
        return f"DagsterEvent({self.event_type_value}, step_key={self.step_key!r})"


@dataclass
class ExecuteInProcessResult:
    """The outcome of a run executed in this process; reads its events from the store."""

    instance: Instance
    defs: Definitions
    outcome: RunOutcome
    run_id: str
    job_name: str = ASSET_JOB_NAME
    memory: Any = None
    """The run's in-memory IO manager (`materialize_to_memory`, `execute_in_process`), if any."""
    graph_outputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The job's own outputs (its graph's return): name -> (node, node output)."""

    @property
    def success(self) -> bool:
        return self.outcome.status == RunStatus.SUCCESS

    @property
    def status(self) -> RunStatus:
        return self.outcome.status

    @property
    def dagster_run(self) -> Any:
        """The run record (`status`, `run_id`, `job_name`, `tags`, `run_config`)."""
        run = self.instance.store.get_run(self.run_id)
        assert run is not None
        return SimpleNamespace(
            run_id=run.run_id,
            status=RunStatus(run.status),
            job_name=run.job_name,
            tags=dict(run.tags or {}),
            run_config=dict(run.run_config or {}),
        )

    @property
    def job_def(self) -> Any:
        return self.defs.op_jobs.get(self.job_name) or self.defs.asset_jobs.get(self.job_name)

    def view(self) -> RunView:
        run = self.instance.store.get_run(self.run_id)
        assert run is not None
        return run_view(self.instance.store, run)

    # -- events ------------------------------------------------------------------------------------
    @cached_property
    def all_events(self) -> list[DagsterEvent]:
        rows: list[EventRow] = []
        while True:
            page = self.instance.store.get_events(run_id=self.run_id, after_id=rows[-1].id if rows else 0)
            rows += page
            if len(page) < 1000:
                break
        return [DagsterEvent(r) for r in rows if r.event_type not in _NOT_IN_RESULTS]

    @property
    def all_node_events(self) -> list[DagsterEvent]:
        return [e for e in self.all_events if e.step_key is not None]

    def events_for_node(self, node_name: str) -> list[DagsterEvent]:
        return [e for e in self.all_node_events if e.node_name == node_name]

    def _of(self, kind: EventType) -> list[DagsterEvent]:
        return [e for e in self.all_events if e.row.event_type == kind]

    def get_step_success_events(self) -> list[DagsterEvent]:
        return self._of(EventType.STEP_SUCCESS)

    def get_step_failure_events(self) -> list[DagsterEvent]:
        return self._of(EventType.STEP_FAILURE)

    def get_job_success_event(self) -> DagsterEvent:
        return self._one(EventType.RUN_SUCCESS)

    def get_job_failure_event(self) -> DagsterEvent:
        return self._one(EventType.RUN_FAILURE)

    def _one(self, kind: EventType) -> DagsterEvent:
        found = self._of(kind)
        if not found:
            from dagdeck.core.defs.results import DagsterInvariantViolationError

            raise DagsterInvariantViolationError(f"No event of type {_DAGSTER_TYPE.get(kind, kind)} found.")
        return found[0]

    def get_step_skipped_events(self) -> list[DagsterEvent]:
        return self._of(EventType.STEP_SKIPPED)

    def get_asset_materialization_events(self) -> list[DagsterEvent]:
        return self._of(EventType.ASSET_MATERIALIZATION)

    def get_asset_observation_events(self) -> list[DagsterEvent]:
        return self._of(EventType.ASSET_OBSERVATION)

    def get_asset_check_evaluations(self) -> list[AssetCheckEvaluation]:
        return [e.asset_check_evaluation_data for e in self._of(EventType.ASSET_CHECK_EVALUATION)]

    def asset_materializations_for_node(self, node_name: str) -> list[Any]:
        """The `AssetMaterialization`s a node's steps recorded (with `MetadataValue`s)."""
        return [
            e.step_materialization_data.materialization
            for e in self.events_for_node(node_name)
            if e.is_step_materialization
        ]

    def asset_observations_for_node(self, node_name: str) -> list[Any]:
        return [
            e.asset_observation_data.asset_observation
            for e in self.events_for_node(node_name)
            if e.is_asset_observation
        ]

    def is_node_success(self, node_name: str) -> bool:
        return any(e.is_step_success for e in self.events_for_node(node_name))

    def is_node_failed(self, node_name: str) -> bool:
        return any(e.is_step_failure for e in self.events_for_node(node_name))

    # -- outputs -----------------------------------------------------------------------------------
    def output_for_node(self, node_str: str | AssetKey, output_name: str = "result") -> Any:
        """The value an op (`"op"`, `"graph.op"`) or asset output produced in this run; a mapped op
        gives a dict by mapping key, as Dagster's does."""
        if not isinstance(node_str, str):
            return self._load(node_str.to_user_string(), output_name, node_str)
        akey = self._asset_key(node_str, output_name)
        if akey is not None:
            return self._load(akey.to_user_string(), output_name, akey)
        mapped = [
            e.step_key
            for e in self.events_for_node(node_str)
            if e.is_successful_output and e.step_key != node_str
        ]
        if mapped and all(k and k.endswith("]") for k in mapped):
            out = {}
            for key in dict.fromkeys(mapped):
                assert key is not None
                out[key[len(node_str) + 1 : -1]] = self._load(key, output_name, None)
            return out
        return self._load(node_str, output_name, None)

    def output_value(self, output_name: str = "result") -> Any:
        """The job's (graph's) own output `output_name`: the node output it is wired to."""
        graph_outputs = self.graph_outputs
        if output_name not in graph_outputs:
            from dagdeck.core.defs.results import DagsterInvariantViolationError

            raise DagsterInvariantViolationError(f"Did not find output {output_name!r} in the job's outputs")
        node, node_output = graph_outputs[output_name]
        return self.output_for_node(node, node_output)

    def _partition_key(self, akey: AssetKey | None) -> str | None:
        """The partition this run stored a partitioned asset's value under (its `dagster/partition`)."""
        node = self.defs.asset_graph.assets.get(akey) if akey is not None else None
        if node is None or node.spec.partitions_def is None:
            return None
        return self.dagster_run.tags.get("dagster/partition")

    def _asset_key(self, node: str, output_name: str) -> AssetKey | None:
        graph = self.defs.asset_graph
        if node in graph.by_string:
            return graph.by_string[node]
        return graph.key_for_node(node, output_name)

    def _load(self, step: str, output_name: str, akey: AssetKey | None) -> Any:
        pkey = self._partition_key(akey)
        ctx = IOContext(self.instance.storage_dir, self.run_id, step, output_name, akey, pkey)
        if self.memory is not None and self.memory.has_output(ctx):
            return self.memory.load_input(ctx)
        resources = resources_for(self.defs, self.instance, self.job_name)
        io_key = self._io_manager_key(step, output_name, akey)
        # the output's own IO manager, started as a run starts it (an `@io_manager` is a factory)
        started = init_run_resources({io_key: resources[io_key]}, None, self.run_id)
        try:
            return load_stored_value(
                started.values[io_key], self.instance.storage_dir, self.run_id, step, output_name, akey, pkey
            )
        finally:
            started.teardown()

    def _io_manager_key(self, step: str, output_name: str, akey: AssetKey | None) -> str:
        """Which IO manager stored this output: the asset's, or the op output's `io_manager_key`."""
        if akey is not None and akey in self.defs.asset_graph.assets:
            return self.defs.asset_graph.assets[akey].io_manager_key
        job = self.defs.op_jobs.get(self.job_name)
        node = job.nodes.get(step.split("[", 1)[0]) if job is not None else None
        out = node.op.outs.get(output_name) if node is not None else None
        return getattr(out, "io_manager_key", None) or "io_manager"


InProcessResult = ExecuteInProcessResult
