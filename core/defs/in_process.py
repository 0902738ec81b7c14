"""The one door from a definition to the engine: Dagster puts `execute_in_process` on job and graph
definitions, but definitions sit below the running room. The engine is looked up by name when a
test calls the method, so loading definitions never imports (or depends on) the run machinery."""

from __future__ import annotations

import importlib
from typing import Any


def execute_job_in_process(job: Any, **options: Any) -> Any:
    """`dagdeck.core.running.materialize.execute_job_in_process(job, **options)`."""
    engine = importlib.import_module("dagdeck.core.running.materialize")
    return engine.execute_job_in_process(job, **options)


def started_resource(key: str, resource: Any, run_id: str = "") -> Any:
    """`resource` started as a run starts it (an `@io_manager` or `@resource` is a factory), and the
    `RunResources` to tear down: `dagdeck.core.running.run_resources.init_run_resources`."""
    engine = importlib.import_module("dagdeck.core.running.run_resources")
    started = engine.init_run_resources({key: resource}, None, run_id)
    return started.values[key], started
