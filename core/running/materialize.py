"""`dg.materialize(...)`: run assets inside the calling process, for unit tests and notebooks.

Runs are recorded in an instance like any other (a temporary one unless given), but no worker
process is spawned, so a failing asset can be debugged with a plain breakpoint.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.defs.io_managers import IOContext
from dagdeck.core.defs.loader import CodeLocation
from dagdeck.core.defs.selection import coerce_selection
from dagdeck.core.instance import Instance
from dagdeck.core.running.execute_run import RunOutcome, execute_run
from dagdeck.core.running.launcher import Launcher, assets_spec, job_spec
from dagdeck.core.running.processes import HOST
from dagdeck.core.running.run_env import resources_for
from dagdeck.core.running.run_status import mark_started
from dagdeck.core.running.step_status import RunView, run_view
from dagdeck.core.statuses import RunStatus

IN_PROCESS_LOCATION = CodeLocation(module="<in-process>")


@dataclass
class InProcessResult:
    instance: Instance
    defs: Definitions
    outcome: RunOutcome
    run_id: str

    @property
    def success(self) -> bool:
        return self.outcome.status == RunStatus.SUCCESS

    @property
    def status(self) -> RunStatus:
        return self.outcome.status

    def view(self) -> RunView:
        run = self.instance.store.get_run(self.run_id)
        assert run is not None
        return run_view(self.instance.store, run)

    def output_for_node(self, key: str | AssetKey, output: str = "result") -> Any:
        """The stored value of an asset or op output of this run."""
        akey = (
            AssetKey.from_coercible(key)
            if not isinstance(key, str) or key in self._asset_strings
            else self.defs.asset_graph.key_for_node(key, output)  # a multi-asset's op name
        )
        resources = resources_for(self.defs, self.instance, ASSET_JOB_NAME)
        step = akey.to_user_string() if akey else str(key)
        ctx = IOContext(self.instance.storage_dir, self.run_id, step, output, akey)
        return resources["io_manager"].load_input(ctx)

    @property
    def _asset_strings(self) -> set[str]:
        return set(self.defs.asset_graph.by_string)


def materialize(
    assets: Iterable[Any] | Definitions,
    *,
    selection: Any = None,
    resources: Mapping[str, Any] | None = None,
    run_config: Mapping[str, Any] | None = None,
    instance: Instance | None = None,
    job_name: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> InProcessResult:
    defs = (
        assets if isinstance(assets, Definitions) else Definitions(assets=list(assets), resources=resources)
    )
    instance = instance or Instance.open(tempfile.mkdtemp(prefix="dagdeck-"))
    options: dict[str, Any] = {
        "run_config": run_config,
        "tags": tags,
        "trigger": "in_process",
        "executor": "in_process",
    }
    if job_name:
        spec, _ = job_spec(defs, IN_PROCESS_LOCATION, job_name, **options)
    else:
        sel = coerce_selection(selection) if selection is not None else None
        keys = sel.resolve(defs.asset_graph) if sel is not None else set(defs.asset_graph.assets)
        spec, _ = assets_spec(defs, IN_PROCESS_LOCATION, keys, **options)
    run = Launcher(instance).submit(spec, start=False)
    mark_started(instance.store, run.run_id, os.getpid(), HOST)
    run = instance.store.get_run(run.run_id) or run
    outcome = execute_run(instance, run, defs)
    return InProcessResult(instance, defs, outcome, run.run_id)
