"""The dask executor on a real LocalCluster(processes=True): each step a task in a worker process,
events through the workers' own store connections, values through the filesystem IO manager."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.io_managers import FilesystemIOManager, IOContext
from dagdeck.core.defs.loader import CodeLocation, load
from dagdeck.core.instance import Instance
from dagdeck.core.running.execute_run import RunOutcome, execute_run
from dagdeck.core.statuses import RunStatus
from dagdeck.store import EventRow, Run

DEFS = '''
import os
import time
from pathlib import Path

import dagdeck as dg

HERE = Path(__file__).resolve().parent


@dg.asset
def source(context):
    context.log.info("pid " + str(os.getpid()))
    return 20


@dg.asset
def measured(source):
    return dg.Output(source + 1, metadata={"rows": 3, "note": "from dask"})


@dg.asset
def total(source, measured):
    return source + measured


@dg.asset
def broken(source):
    raise ValueError("broken on purpose")


@dg.asset
def after_broken(broken):
    return broken


@dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
def flaky():
    counter = HERE / "flaky.count"
    n = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    if n == 1:
        raise RuntimeError("first attempt fails")
    return n


@dg.asset
def patient(context):
    (HERE / "patient.started").write_text(str(os.getpid()))
    while not context.is_canceled():
        time.sleep(0.05)
    (HERE / "patient.saw_cancel").write_text("yes")
    return 1


@dg.asset
def after_patient(patient):
    return patient


@dg.asset
def in_memory_value():
    return 1


EXECUTOR = {executor}

defs = dg.Definitions(
    assets=[source, measured, total, broken, after_broken, flaky, patient, after_patient],
    executor=EXECUTOR,
)
'''


def _setup(instance: Instance, write_defs: Callable[..., Path], executor: str, assets: list[str]) -> tuple[Run, object]:
    path = write_defs(DEFS.replace("{executor}", executor))
    location = CodeLocation(file=str(path), working_dir=str(path.parent))
    defs = load(location).defs
    run = Run(
        run_id=uuid.uuid4().hex,
        job_name=ASSET_JOB_NAME,
        status=RunStatus.STARTED,
        created_at=time.time(),
        location=location.to_dict(),
        plan={"assets": assets},
    )
    instance.store.add_run(run)
    return run, defs


def _events(instance: Instance, run_id: str, event_type: str) -> list[EventRow]:
    return instance.store.get_events(run_id=run_id, event_types=[event_type], limit=10_000)


def _cluster(address: str) -> str:
    return f'dg.dask_executor.configured({{"scheduler_address": "{address}"}})'


def test_steps_run_in_worker_processes_with_metadata_and_values(
    any_instance: Instance, write_defs: Callable[..., Path], dask_address: str
) -> None:
    run, defs = _setup(any_instance, write_defs, _cluster(dask_address), ["source", "measured", "total"])
    outcome: RunOutcome = execute_run(any_instance, run, defs)  # type: ignore[arg-type]
    assert outcome.status == RunStatus.SUCCESS, outcome.reason
    assert outcome.result is not None and set(outcome.result.outcomes.values()) == {"succeeded"}
    logs = [e.message for e in _events(any_instance, run.run_id, "LOG")]
    worker_pid = int(next(m for m in logs if m.startswith("pid ")).split()[1])
    assert worker_pid != os.getpid()  # the step ran in a Dask worker process
    mats = {e.asset_key: e for e in _events(any_instance, run.run_id, "ASSET_MATERIALIZATION")}
    assert set(mats) == {"source", "measured", "total"}
    assert mats["measured"].data["metadata"]["rows"] == {"type": "int", "value": 3}
    states = any_instance.store.asset_states()
    assert states["measured"].last_metadata["note"]["value"] == "from dask"
    assert states["total"].last_run_id == run.run_id
    io = FilesystemIOManager(any_instance.storage_dir)
    from dagdeck.core.defs.asset_key import AssetKey

    stored = io.load_input(IOContext(any_instance.storage_dir, run.run_id, "total", "result", AssetKey("total")))
    assert stored == 41
    current = any_instance.store.get_run(run.run_id)
    assert current is not None and current.status == RunStatus.SUCCESS


def test_failure_propagates_and_skips_downstream(
    instance: Instance, write_defs: Callable[..., Path], dask_address: str
) -> None:
    run, defs = _setup(instance, write_defs, _cluster(dask_address), ["source", "broken", "after_broken", "measured"])
    outcome = execute_run(instance, run, defs)  # type: ignore[arg-type]
    assert outcome.status == RunStatus.FAILURE
    assert outcome.result is not None
    assert outcome.result.outcomes == {
        "source": "succeeded",
        "broken": "failed",
        "measured": "succeeded",
        "after_broken": "skipped",
    }
    (failure,) = _events(instance, run.run_id, "STEP_FAILURE")
    assert failure.step_key == "broken" and "ValueError: broken on purpose" in failure.data["error"]
    assert "Traceback" in failure.data["traceback"]
    (skip,) = _events(instance, run.run_id, "STEP_SKIPPED")
    assert skip.step_key == "after_broken" and "broken" in skip.message
    assert "broken" in (instance.store.get_run(run.run_id).failure_reason or "")  # type: ignore[union-attr]


def test_retry_happens_inside_the_task(instance: Instance, write_defs: Callable[..., Path], dask_address: str) -> None:
    run, defs = _setup(instance, write_defs, _cluster(dask_address), ["flaky"])
    outcome = execute_run(instance, run, defs)  # type: ignore[arg-type]
    assert outcome.status == RunStatus.SUCCESS, outcome.reason
    (retry,) = _events(instance, run.run_id, "STEP_UP_FOR_RETRY")
    assert "first attempt fails" in retry.data["error"]
    starts = _events(instance, run.run_id, "STEP_START")
    assert [e.data["attempt"] for e in starts] == [1, 2]


def test_cancel_tells_running_tasks_and_ends_canceled(
    instance: Instance, write_defs: Callable[..., Path], dask_address: str
) -> None:
    run, defs = _setup(instance, write_defs, _cluster(dask_address), ["patient", "after_patient"])
    here = Path(run.location["file"]).parent
    cancel = threading.Event()
    outcomes: list[RunOutcome] = []
    thread = threading.Thread(target=lambda: outcomes.append(execute_run(instance, run, defs, cancel)))  # type: ignore[arg-type]
    thread.start()
    deadline = time.monotonic() + 120  # stops a hang only
    while not (here / "patient.started").exists():
        assert time.monotonic() < deadline and thread.is_alive(), ("patient never started", outcomes)
        time.sleep(0.05)
    assert instance.store.transition_run(run.run_id, [RunStatus.STARTED], RunStatus.CANCELING)
    cancel.set()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert outcomes[0].status == RunStatus.CANCELED
    # the task stopped by itself once told: nothing was still running when the grace period ran out
    # (that would have been force-canceled and listed as hung)
    assert outcomes[0].result is not None and outcomes[0].result.hung == []
    assert (here / "patient.saw_cancel").exists()  # the running task was told, in its worker process
    assert int((here / "patient.started").read_text()) != os.getpid()
    current = instance.store.get_run(run.run_id)
    assert current is not None and current.status == RunStatus.CANCELED
    (failure,) = _events(instance, run.run_id, "STEP_FAILURE")
    assert failure.step_key == "patient" and failure.data["canceled"] is True
    (skip,) = _events(instance, run.run_id, "STEP_SKIPPED")
    assert skip.step_key == "after_patient"


def test_without_an_address_a_local_cluster_lives_for_the_run(
    instance: Instance, write_defs: Callable[..., Path]
) -> None:
    run, defs = _setup(instance, write_defs, '"dask"', ["source", "measured"])
    outcome = execute_run(instance, run, defs)  # type: ignore[arg-type]
    assert outcome.status == RunStatus.SUCCESS, outcome.reason
    logs = [e.message for e in _events(instance, run.run_id, "LOG")]
    assert any(m.startswith("pid ") and int(m.split()[1]) != os.getpid() for m in logs)


def test_in_memory_io_manager_is_refused_at_launch(
    instance: Instance, write_defs: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = DEFS.replace("{executor}", '"dask"').replace(
        "    executor=EXECUTOR,\n", '    executor=EXECUTOR,\n    resources={"io_manager": dg.mem_io_manager},\n'
    )
    path = write_defs(code)
    location = CodeLocation(file=str(path), working_dir=str(path.parent))
    defs = load(location).defs
    run = Run(
        run_id=uuid.uuid4().hex,
        job_name=ASSET_JOB_NAME,
        status=RunStatus.STARTED,
        created_at=time.time(),
        location=location.to_dict(),
        plan={"assets": ["source"]},
    )
    instance.store.add_run(run)
    import distributed

    contacted: list[str] = []

    def no_cluster(what: str) -> Callable[..., object]:
        def refuse(*args: object, **kwargs: object) -> object:
            contacted.append(what)
            raise RuntimeError(f"{what} was started: the run should have been refused before any cluster")

        return refuse

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster("LocalCluster"))
    monkeypatch.setattr(distributed, "Client", no_cluster("Client"))
    outcome = execute_run(instance, run, defs)
    assert contacted == []  # refused before any cluster starts
    assert outcome.status == RunStatus.FAILURE
    assert "in-memory IO manager" in outcome.reason and "filesystem IO manager" in outcome.reason
    assert not instance.store.get_events(run_id=run.run_id, event_types=["STEP_START"])


@pytest.mark.parametrize("module", ["<in-process>"])
def test_a_run_without_a_loadable_location_is_refused(instance: Instance, module: str) -> None:
    from dagdeck.core.running.executors.dask import DaskLaunchError, check_dask
    from dagdeck.core.running.plan import ExecutionPlan
    from dagdeck.core.running.run_env import RunEnv

    env = RunEnv("r", "j", lambda e: None, threading.Event(), {}, instance.storage_dir)
    with pytest.raises(DaskLaunchError, match="launch it with"):
        check_dask(ExecutionPlan("j", {}), env, {"module": module})


RESOURCE_DEFS = """
import os

import dagdeck as dg


class Journal(dg.ConfigurableResource):
    path: str

    def setup_for_execution(self, context) -> None:
        self._write(f"setup {os.getpid()}")

    def teardown_after_execution(self, context) -> None:
        self._write(f"teardown {os.getpid()}")

    def _write(self, line: str) -> None:
        with open(self.path, "a") as f:
            f.write(line + "\\n")


@dg.asset
def first(journal: Journal) -> int:
    return 1


@dg.asset
def second(journal: Journal, first: int) -> int:
    return first + 1


defs = dg.Definitions(
    assets=[first, second],
    resources={"journal": Journal(path={path!r})},
    executor={executor},
)
"""


def test_each_worker_tears_down_the_resources_it_set_up(
    instance: Instance, write_defs: Callable[..., Path], dask_address: str, tmp_path: Path
) -> None:
    """A worker process sets a run's resources up for the first of its steps there and tears them
    down once the run is over (Dagster tears resources down at the end of each step process)."""
    journal = tmp_path / "journal.txt"
    code = RESOURCE_DEFS.replace("{path!r}", repr(str(journal))).replace("{executor}", _cluster(dask_address))
    path = write_defs(code)
    location = CodeLocation(file=str(path), working_dir=str(path.parent))
    defs = load(location).defs
    run = Run(
        run_id=uuid.uuid4().hex,
        job_name=ASSET_JOB_NAME,
        status=RunStatus.STARTED,
        created_at=time.time(),
        location=location.to_dict(),
        plan={"assets": ["first", "second"]},
    )
    instance.store.add_run(run)
    outcome = execute_run(instance, run, defs)  # type: ignore[arg-type]
    assert outcome.status == RunStatus.SUCCESS, outcome.reason

    def pids(word: str) -> set[str]:
        lines = journal.read_text().splitlines() if journal.exists() else []
        return {line.split()[1] for line in lines if line.split()[0] == word}

    worker_setups = pids("setup") - {str(os.getpid())}
    assert worker_setups  # the steps ran in worker processes, which set the resource up
    deadline = time.monotonic() + 120  # the worker hears of the run's end through its Dask Event
    while not worker_setups <= pids("teardown") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker_setups <= pids("teardown")
