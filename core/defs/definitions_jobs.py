"""How `Definitions` resolves jobs: asset jobs from their selections, op jobs checked, and the jobs
schedules and sensors target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME, UnresolvedAssetJob, is_job
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.executors import EXECUTOR_NAMES, ExecutorDef, coerce_executor
from dagdeck.core.defs.graphs import JobDefinition
from dagdeck.core.defs.hooks import hook_set
from dagdeck.core.defs.loggers import coerce_logger_defs
from dagdeck.core.defs.resources import is_resource_annotation, missing_resource_error
from dagdeck.core.errors import DefinitionError, did_you_mean


@dataclass(frozen=True)
class AssetJob:
    """A resolved asset job: the exact assets it materializes."""

    name: str
    keys: frozenset[AssetKey]
    description: str | None
    tags: dict[str, str]
    config: dict[str, Any]
    executor: ExecutorDef | None
    selection_text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[Any] = frozenset()
    """`define_asset_job(hooks=)`: run after every asset step of the job."""
    op_retry_policy: Any = None
    """`define_asset_job(op_retry_policy=)`: retries every asset without its own policy."""
    check_keys: frozenset[Any] | None = None
    """The asset checks it runs (`AssetSelection.checks...`, `.without_checks()`); None for the
    implicit asset job: the checks of the assets a run selects."""


class JobResolution:
    """The jobs half of `Definitions` (a mixin: it reads the fields `Definitions` sets)."""

    def _resolve_jobs(self) -> None:
        for j in self.job_defs:
            self._add_job(j)

    def _adopt_job(self, job: Any) -> None:
        """A job a schedule or sensor targets belongs to the Definitions even when `jobs=[...]`
        does not list it, as in Dagster."""
        if job is None or not is_job(job) or self._job_objects.get(job.name) is job:
            return
        self.job_defs.append(job)
        self._add_job(job)  # another job of the same name is a duplicate, as in Dagster

    def _add_job(self, j: Any) -> None:
        seen = self._job_objects
        name = getattr(j, "name", None)
        file, line = getattr(j, "source", (None, None))
        if name in seen or name == ASSET_JOB_NAME:
            raise DefinitionError(
                f"duplicate job name {name!r}", file=file, line=line, obj=f"job {name}", fix="rename one job"
            )
        seen[name] = j
        if isinstance(j, UnresolvedAssetJob):
            try:
                keys = j.selection.resolve(self.asset_graph)
            except DefinitionError as err:
                raise DefinitionError(
                    err.problem, file=file, line=line, obj=f"job {name}", fix=err.fix
                ) from None
            # a selection matching no asset is an empty job that runs no steps, as in Dagster
            problem = self.asset_graph.subset_problem(keys)
            if problem:
                raise DefinitionError(
                    problem, file=file, line=line, obj=f"job {name}", fix="select all of its assets"
                )
            executor = coerce_executor(j.executor)
            self._check_executor(executor, f"job {name}")
            self.asset_jobs[name] = AssetJob(
                name,
                frozenset(keys),
                j.description,
                j.tags,
                j.config,
                executor,
                str(j.selection),
                j.metadata,
                hooks=hook_set(j.hooks, f"job {name!r}"),
                op_retry_policy=j.op_retry_policy,
                check_keys=frozenset(
                    j.selection.resolve_checks(
                        self.asset_graph, {k: [c.key for c in cs] for k, cs in self.checks_by_asset.items()}
                    )
                ),
            )
        elif isinstance(j, JobDefinition):
            coerce_logger_defs(j.logger_defs, f"job {name}")
            self._check_op_job(j)
            self._check_executor(coerce_executor(j.executor), f"job {name}")
            self.op_jobs[name] = j
        else:
            raise DefinitionError(
                f"{j!r} in jobs=[...] is not a job", fix="use @job, graph.to_job() or define_asset_job()"
            )

    def _check_op_job(self, j: JobDefinition) -> None:
        resources = set(self.resources) | set(j.resources)
        for node in j.nodes.values():
            for key in sorted(getattr(node.op, "required_resource_keys", frozenset()) - resources):
                raise missing_resource_error(f"op {node.name} in job {j.name}", key, node.op.fn)
            for p in node.op.params.others:
                if (
                    p.name not in resources
                    and p.name not in node.inputs
                    and is_resource_annotation(p.annotation)
                ):
                    raise missing_resource_error(f"op {node.name} in job {j.name}", p.name, node.op.fn)
            defaults = {p.name for p in node.op.params.others if p.has_default}
            for pname in node.op.input_names:
                if pname in node.inputs or pname in defaults or pname in resources:
                    continue
                if pname in node.op.io_types.nothing_inputs:  # ordering only: may stay unwired
                    continue
                in_def = node.op.ins.get(pname)
                if in_def is not None and in_def.default_value is not None:
                    continue
                file, line = j.source
                raise DefinitionError(
                    f"input {pname!r} of op {node.name!r} is not wired",
                    file=file,
                    line=line,
                    obj=f"job {j.name}",
                    fix=f"pass another op's output as {node.op.name}({pname}=...), "
                    f"give the parameter a default, or add a resource named {pname!r}",
                )

    def _check_executor(self, executor: ExecutorDef | None, owner: str) -> None:
        if executor is not None and executor.name not in EXECUTOR_NAMES:
            raise DefinitionError(
                f"unknown executor {executor.name!r}",
                obj=owner,
                fix=f"use one of {', '.join(EXECUTOR_NAMES)}",
            )

    @property
    def job_names(self) -> list[str]:
        return sorted([*self.asset_jobs, *self.op_jobs])

    def has_job(self, name: str) -> bool:
        return name in self.asset_jobs or name in self.op_jobs

    # -- automation -----------------------------------------------------------------------------

    def _check_target_job(self, job_name: str | None, file: str | None, line: int | None, obj: str) -> None:
        if job_name is None:
            raise DefinitionError(
                "has no job", file=file, line=line, obj=obj, fix="pass job=<a job in Definitions>"
            )
        if not self.has_job(job_name):
            raise DefinitionError(
                f"targets unknown job {job_name!r}",
                file=file,
                line=line,
                obj=obj,
                fix=did_you_mean(job_name, self.job_names) or "add the job to Definitions(jobs=[...])",
            )

    # -- lookups --------------------------------------------------------------------------------
