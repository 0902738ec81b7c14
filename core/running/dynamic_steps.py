"""Dynamic and optional outputs at run time.

A step with a `DynamicOut` or an optional output writes a small manifest next to its outputs: the
outputs it yielded and, per dynamic output, its mapping keys in the order they were yielded. The
scheduler reads it when the step succeeds, to expand the mapped steps (`op[key]`) and to skip the
consumers of an output that was not yielded; input loading reads it to collect a dynamic output.
A file under the run's storage works the same for threads, step processes and Dask workers (which
already share storage/ to pass values).

A mapped step is planned once, as a template keyed by its node name; each instance is the
template with `mapping_key` set and the key `op[mapping_key]`, so any process can rebuild an
instance from its key alone (`resolve_step`).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dagdeck.core.defs.dynamic import element_output, mapped_key, split_mapped_key
from dagdeck.core.defs.io_managers import PRIVATE_FILE_MODE, make_private_dirs, storage_part
from dagdeck.core.running.plan import ExecutionPlan, LinkKind, PlanError, Source, Step

_MANIFEST = ".outputs.json"
"""Output names follow Dagster's name rule, so no output is ever stored under this name."""


@dataclass(frozen=True)
class Manifest:
    """What one run of a step yielded."""

    outputs: frozenset[str]
    mapping_keys: dict[str, list[str]]
    """Dynamic output -> its mapping keys, in the order they were yielded."""


def writes_manifest(step: Step) -> bool:
    return bool(step.dynamic_outputs or step.optional_outputs)


def manifest_path(storage_dir: Path, run_id: str, step_key: str) -> Path:
    what = f"outputs of step {step_key!r} in run {run_id!r}"
    parts = (storage_part(run_id, what), storage_part(step_key, what), _MANIFEST)
    return storage_dir.joinpath("runs", *parts)


def write_manifest(storage_dir: Path, run_id: str, step_key: str, manifest: Manifest) -> None:
    """Atomically (temp file + rename): a reader never sees half a manifest."""
    path = manifest_path(storage_dir, run_id, step_key)
    make_private_dirs(path.parent)
    data = json.dumps({"outputs": sorted(manifest.outputs), "mapping_keys": manifest.mapping_keys})
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_manifest(storage_dir: Path, run_id: str, step_key: str) -> Manifest | None:
    try:
        raw: dict[str, Any] = json.loads(manifest_path(storage_dir, run_id, step_key).read_text())
    except (OSError, ValueError):
        return None
    return Manifest(
        frozenset(raw.get("outputs") or ()), {k: list(v) for k, v in (raw.get("mapping_keys") or {}).items()}
    )


def find_manifest(storage_dir: Path, run_ids: list[str], step_key: str) -> Manifest | None:
    """The manifest of `step_key` in the first of `run_ids` that has one (this run, then earlier ones)."""
    for run_id in run_ids:
        manifest = read_manifest(storage_dir, run_id, step_key)
        if manifest is not None:
            return manifest
    return None


# -- mapped steps ---------------------------------------------------------------------------------


def instance_of(template: Step, mapping_key: str, upstream: set[str]) -> Step:
    """One instance of a mapped step; its inputs keep their links, resolved when loaded."""
    return replace(
        template, key=mapped_key(template.key, mapping_key), mapping_key=mapping_key, upstream=upstream
    )


def instance_upstream(template: Step, mapping_key: str, templates: set[str]) -> set[str]:
    """The template's upstream with each mapped step of the same dynamic output made its instance."""
    return {mapped_key(u, mapping_key) if u in templates else u for u in template.upstream}


def resolve_step(plan: ExecutionPlan, step_key: str) -> Step:
    """A step of `plan` by key, including instances `op[key]` of its mapped steps."""
    step = plan.steps.get(step_key)
    if step is not None:
        return step
    parts = split_mapped_key(step_key)
    template = plan.steps.get(parts[0]) if parts else None
    if parts is None or template is None or not template.is_template:
        raise PlanError(f"step {step_key!r} is not in job {plan.job_name!r}")
    templates = {k for k, s in plan.steps.items() if s.mapped_by == template.mapped_by}
    return instance_of(template, parts[1], instance_upstream(template, parts[1], templates))


def element_source(src: Source, mapping_key: str) -> Source:
    """What a mapped instance loads for an input linked to its dynamic output."""
    assert src.dynamic is not None
    if src.dynamic.kind is LinkKind.ELEMENT:
        return replace(src, output=element_output(src.output, mapping_key), dynamic=None)
    return replace(src, step_key=mapped_key(src.step_key, mapping_key), dynamic=None)


def collected_sources(src: Source, mapping_keys: list[str]) -> list[Source]:
    """Every element behind a collected input, in mapping-key order."""
    assert src.dynamic is not None
    if (src.step_key, src.output) == src.dynamic.origin:
        return [replace(src, output=element_output(src.output, k), dynamic=None) for k in mapping_keys]
    return [replace(src, step_key=mapped_key(src.step_key, k), dynamic=None) for k in mapping_keys]
