"""Steps as Dask tasks, on an existing cluster (``scheduler_address``) or a LocalCluster made per run.

Nothing of the run is pickled but names: each task gets the run id, the store URL and the home, and
the Dask worker loads the run's code location itself (``dask_worker.py``), as a run's worker does. User
resources (database clients, locks) thus never need to be picklable, and a worker keeps one loaded
copy per run for all the steps it is given. Workers write their own events through their own store
connection and pass values through the filesystem IO manager, so the cluster needs what a second
machine needs: dagdeck installed, the project at the same path, the home's ``storage/`` on a shared
path and (for other hosts) a PostgreSQL store. ``check_dask``/``_check_workers`` say so at launch.

Cancel is cooperative as in the other executors: a Dask ``Event`` named per run is set, every worker
holding that run copies it into the run's ``cancel_event`` (``context.is_canceled()``), tasks not yet
started return without running, and what still runs after the grace period is force-canceled and
recorded as canceled. The same event is set once more when the run is over, to release the watchers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagdeck.core.defs.io_managers import PRIVATE_FILE_MODE, InMemoryIOManager, make_private_dirs
from dagdeck.core.errors import DagdeckError
from dagdeck.core.running.executors.dask_worker import TaskSpec, run_step_task
from dagdeck.core.running.executors.scheduler import ExecutionResult, record_lost_step, schedule
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.run_env import RunEnv
from dagdeck.core.statuses import StepStatus

if TYPE_CHECKING:
    from distributed import Client, Future
    from distributed.security import Security


_LOCAL_CLUSTER_DEFAULTS: dict[str, Any] = {"n_workers": 2, "threads_per_worker": 1}


class DaskLaunchError(DagdeckError):
    """The run cannot start on Dask (missing extra, unreachable scheduler, unshared storage)."""


# -- launching side ---------------------------------------------------------------------------------


def execute_dask(
    plan: ExecutionPlan,
    env: RunEnv,
    *,
    store_url: str,
    home: Path,
    location: dict[str, Any],
    config: dict[str, Any],
    grace_seconds: float = 10.0,
) -> ExecutionResult:
    """Run ``plan`` on Dask; raises DaskLaunchError (before any step starts) when it cannot."""
    check_dask(plan, env, location)
    spec = TaskSpec(env.run_id, store_url, str(home), env.log_max_bytes, env.metadata_max_bytes)
    address = config.get("scheduler_address")
    limit = int(config.get("max_concurrent") or 0) or None
    with _client(address, config) as client:
        if address:
            _check_workers(client, env.storage_dir, store_url, location)
        runner = _DaskRunner(client, env, spec, limit)
        try:
            return schedule(plan, env, runner, grace_seconds)
        finally:
            runner.close()


def check_dask(plan: ExecutionPlan, env: RunEnv, location: dict[str, Any]) -> None:
    """Refuse what cannot work on Dask workers, with the fix, before anything is submitted."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise DaskLaunchError(
            "executor 'dask' needs Dask: pip install 'dagdeck[dask]' (dask[distributed])"
        ) from None
    if not location.get("file") and str(location.get("module") or "").startswith("<"):
        raise DaskLaunchError(
            "Dask workers load the definitions from the run's code location, and this run has none "
            "(started in-process); launch it with `dagdeck launch` or from the console"
        )
    for step in plan.steps.values():
        keys = [(f"output {out!r}", key) for out, key in step.outputs.items()]
        keys += [
            (f"input {name!r}", src.io_manager_key)
            for name, inp in step.inputs.items()
            for src in inp.sources
        ]
        for what, key in keys:
            if isinstance(env.resources.get(key), InMemoryIOManager):
                raise DaskLaunchError(
                    f"step {step.key!r} passes {what} through an in-memory IO manager ({key!r}), which Dask "
                    "workers cannot share; use the filesystem IO manager (the default) or another executor"
                )


_TLS_KEYS = ("tls_ca_file", "tls_cert", "tls_key")


def _security(config: dict[str, Any], local: bool) -> Security | None:
    """TLS from the executor config's tls_ca_file, tls_cert and tls_key; else, for the LocalCluster made
    per run, a throwaway CA and certificate (no other local user can connect and run code as this
    user); else None: a remote scheduler's client then follows Dask's distributed.comm.tls config."""
    from distributed.security import Security

    ca, cert, key = (config.get(k) for k in _TLS_KEYS)
    if ca or cert or key:
        if not (ca and cert and key):
            raise DaskLaunchError(
                f"dask executor config needs all of {', '.join(_TLS_KEYS)} for TLS, or none"
            )
        roles = {f"tls_{role}_cert": cert for role in ("client", "scheduler", "worker")}
        roles.update({f"tls_{role}_key": key for role in ("client", "scheduler", "worker")})
        return Security(tls_ca_file=ca, require_encryption=True, **roles)
    try:
        return Security.temporary() if local else None
    except ImportError:
        raise DaskLaunchError(
            "the per-run Dask cluster uses TLS, which needs the cryptography package: pip install cryptography "
            f"(or give {', '.join(_TLS_KEYS)} in the dask executor config)"
        ) from None


@contextlib.contextmanager
def _client(address: str | None, config: dict[str, Any]) -> Iterator[Client]:
    """A client of the given scheduler, or of a LocalCluster on 127.0.0.1 (TLS) that lives for this run."""
    from distributed import Client, LocalCluster

    security = _security(config, local=not address)
    if address:
        try:
            timeout = float(config.get("connect_timeout", 20))
            client = Client(address, set_as_default=False, timeout=timeout, security=security)
        except (OSError, TimeoutError, TypeError) as err:  # TypeError: tls:// without certificates
            tls = (
                f" (a tls:// scheduler needs {', '.join(_TLS_KEYS)} in the executor config)"
                if "TLS" in str(err)
                else ""
            )
            raise DaskLaunchError(
                f"cannot reach the Dask scheduler at {address}: {err}; start it with "
                f"`dask scheduler` or fix scheduler_address{tls}"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    options = {k: int(config.get(k, v)) for k, v in _LOCAL_CLUSTER_DEFAULTS.items()}
    cluster = LocalCluster(
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # no dashboard; its bare HTTP server (health routes) on a free port, not a fixed 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
        security=security,
        protocol="tls://",
        **options,
    )
    try:
        client = Client(cluster, set_as_default=False, security=security)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _check_workers(client: Client, storage_dir: Path, store_url: str, location: dict[str, Any]) -> None:
    """Ask every worker whether it sees this home's storage, the code and (for SQLite) this host."""
    from dagdeck.store.engine import sqlite_path

    try:
        client.wait_for_workers(1, timeout=30)
    except TimeoutError:
        raise DaskLaunchError(
            "the Dask cluster has no workers; start some with `dask worker ADDRESS`"
        ) from None
    make_private_dirs(storage_dir)
    token = uuid.uuid4().hex
    marker = storage_dir / f".dagdeck-dask-probe-{token}"
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    try:
        answers: dict[str, dict[str, Any]] = client.run(_probe, str(marker), token, location.get("file"))
    finally:
        marker.unlink(missing_ok=True)
    blind = sorted(addr for addr, a in answers.items() if not a["storage"])
    if blind:
        raise DaskLaunchError(
            f"storage directory {storage_dir} is not visible from Dask worker(s) {', '.join(blind)}; values pass "
            "through the filesystem IO manager, so put the dagdeck home (--home/DAGDECK_HOME) on a shared "
            "filesystem mounted at the same path on every worker"
        )
    no_code = sorted(addr for addr, a in answers.items() if not a["code"])
    if no_code:
        raise DaskLaunchError(
            f"definitions file {location.get('file')} not found on Dask worker(s) {', '.join(no_code)}; "
            "deploy the project at the same path on every worker"
        )
    here = socket.gethostname()
    elsewhere = sorted({a["host"] for a in answers.values() if a["host"] != here})
    if elsewhere and sqlite_path(store_url) is not None:
        raise DaskLaunchError(
            f"the SQLite store {sqlite_path(store_url)} is local to {here} but Dask workers run on "
            f"{', '.join(elsewhere)}; use a PostgreSQL store (DAGDECK_STORE_URL=postgresql+psycopg://...)"
        )


def _probe(marker: str, token: str, code_file: str | None) -> dict[str, Any]:
    """Runs on each worker (via ``client.run``): what this worker can see of the launching host."""
    path = Path(marker)
    try:
        storage = path.read_text() == token
    except OSError:
        storage = False
    return {
        "host": socket.gethostname(),
        "storage": storage,
        "code": code_file is None or os.path.exists(code_file),
    }


class _DaskRunner:
    """Each step a Dask task; finished futures report through a queue. Cancel sets the run's Dask
    Event, which workers copy into `context.is_canceled()`; what still runs after the grace period
    is force-canceled."""

    def __init__(self, client: Client, env: RunEnv, spec: TaskSpec, limit: int | None) -> None:
        from distributed import Event

        self.limit = limit
        self._client = client
        self._env = env
        self._spec = spec
        self._done: queue.Queue[Future] = queue.Queue()
        self._running: dict[str, tuple[Step, Future]] = {}  # Dask key -> (step, future)
        self._cancel = Event(spec.cancel_name, client=client)

    def start(self, step: Step) -> None:
        fut = self._client.submit(
            run_step_task,
            self._spec,
            step.key,
            key=f"dagdeck-{step.key}-{self._spec.run_id}",
            pure=False,
            retries=0,
        )
        self._running[fut.key] = (step, fut)
        fut.add_done_callback(self._done.put)

    def finished(self, timeout: float) -> list[tuple[str, StepStatus | None]]:
        try:
            futs = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:  # everything else already done, before the scheduler looks for ready steps again
            try:
                futs.append(self._done.get_nowait())
            except queue.Empty:
                break
        out: list[tuple[str, StepStatus | None]] = []
        for fut in futs:
            step, _ = self._running.pop(fut.key)
            out.append((step.key, _outcome(self._env, step, fut)))
        return out

    def interrupt(self) -> None:
        self._cancel.set()

    def abandon(self, keys: list[str]) -> list[str]:
        self._client.cancel([fut for _, fut in self._running.values()], force=True)
        return keys

    def close(self) -> None:
        with contextlib.suppress(Exception):
            # Every task is over: setting the event releases the workers' watchers of this run (no
            # long-poll left to cut when a cluster closes), and clearing it frees the scheduler's state.
            self._cancel.set()
            self._cancel.clear()


def _outcome(env: RunEnv, step: Step, fut: Future) -> StepStatus | None:
    """The step's outcome from its finished task; None when the task never ran the step."""
    if fut.status == "finished":
        value = fut.result()
        return None if value is None else StepStatus(value)
    try:
        err: BaseException | None = fut.exception(timeout=5)
    except Exception as exc:  # noqa: BLE001 - a canceled future raises instead of returning one
        err = exc
    reason = (
        f"Dask task failed: {type(err).__name__}: {err}" if err is not None else f"Dask task {fut.status}"
    )
    return record_lost_step(env, step, reason)
