"""`Definitions`: everything a code location offers, resolved and validated at load time."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from croniter import croniter

from dagdeck.core.defs.asset_graph import AssetGraph, AssetNode, order_or_cycle
from dagdeck.core.defs.asset_jobs import ASSET_JOB_NAME, UnresolvedAssetJob, is_job
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_specs import AssetSpec, SourceAsset
from dagdeck.core.defs.assets import AssetsDefinition, external_assets
from dagdeck.core.defs.check_wiring import check_inputs, find_upstream, spec_checks
from dagdeck.core.defs.checks import AssetChecksDefinition, MultiAssetChecksDefinition
from dagdeck.core.defs.definitions_args import DefinitionsArgs, merged_args
from dagdeck.core.defs.definitions_lookups import DefinitionsLookups
from dagdeck.core.defs.executors import EXECUTOR_NAMES, ExecutorDef, coerce_executor
from dagdeck.core.defs.graphs import JobDefinition
from dagdeck.core.defs.hooks import hook_set
from dagdeck.core.defs.io_managers import FilesystemIOManager
from dagdeck.core.defs.loggers import LoggerDefinition, coerce_logger_defs
from dagdeck.core.defs.misplaced import check_slot, sort_checks_out
from dagdeck.core.defs.resources import ResourceDefinition, is_resource_annotation, missing_resource_error
from dagdeck.core.defs.schedules import ScheduleDefinition
from dagdeck.core.defs.sensors import SensorDefinition
from dagdeck.core.errors import DefinitionError, did_you_mean

NO_KEYS: frozenset[AssetKey] = frozenset()
"""The upstream keys of every root asset (shared: load cost at scale)."""


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


class Definitions(DefinitionsLookups):
    """Dagster's `Definitions`, with its keyword arguments (in its order)."""

    def __init__(
        self,
        assets: Iterable[Any] | None = None,
        schedules: Iterable[ScheduleDefinition] | None = None,
        sensors: Iterable[SensorDefinition] | None = None,
        jobs: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: Any = None,
        loggers: Mapping[str, Any] | None = None,
        asset_checks: Iterable[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        given = DefinitionsArgs(
            _flatten(assets),
            _flatten(schedules),
            _flatten(sensors),
            _flatten(jobs),
            dict(resources or {}),
            executor,
            dict(loggers or {}),
            _flatten(asset_checks),
            dict(metadata or {}),
        )
        for slot in ("assets", "schedules", "sensors", "jobs", "asset_checks"):
            check_slot(getattr(given, slot), slot)
        self.given = given
        """The arguments as passed, for `Definitions.merge`. Everything else is resolved on first
        use, as Dagster does, so `merge` can join sets that are incomplete alone (one's assets
        reading another's); the loader resolves at load time so mistakes surface there."""

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not set yet: the resolved ones, before the first resolution
        if name.startswith("__") or name == "given" or "_resolving" in self.__dict__:
            raise AttributeError(name)
        self.resolve()
        return object.__getattribute__(self, name)

    def resolve(self) -> Definitions:
        """Resolve and validate everything (idempotent); raises DefinitionError for a mistake."""
        if "_resolved" not in self.__dict__:
            self.__dict__["_resolving"] = True
            try:
                self._resolve(self.given)
            finally:
                del self.__dict__["_resolving"]
            self.__dict__["_resolved"] = True
        return self

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        defs.resolve()

    def _resolve(self, given: DefinitionsArgs) -> None:
        assets_only, stray_checks = sort_checks_out(given.assets)
        self.assets_defs: list[AssetsDefinition] = assets_only
        self.job_defs: list[Any] = list(given.jobs)
        self.schedules: dict[str, ScheduleDefinition] = {}
        self.sensors: dict[str, SensorDefinition] = {}
        self.resources: dict[str, Any] = dict(given.resources)
        for a in given.assets:  # `with_resources` / `resource_defs=`: the Definitions' own win
            for key, value in (getattr(a, "resource_defs", None) or {}).items():
                self.resources.setdefault(key, value)
        self.resources.setdefault("io_manager", FilesystemIOManager())
        self.executor: ExecutorDef | None = coerce_executor(given.executor)
        self.loggers: dict[str, LoggerDefinition] = coerce_logger_defs(given.loggers, "Definitions")
        self.metadata: dict[str, Any] = dict(given.metadata)
        self.asset_graph = self._build_asset_graph()
        self._check_required_resources()
        self.checks_by_asset: dict[AssetKey, list[AssetChecksDefinition]] = {}
        self.check_inputs: dict[str, dict[str, AssetKey]] = {}
        for check in [*spec_checks(self.assets_defs, self.asset_graph), *given.asset_checks, *stray_checks]:
            self._add_check(check)
        self.asset_jobs: dict[str, AssetJob] = {}
        self.op_jobs: dict[str, JobDefinition] = {}
        self._job_objects: dict[str, Any] = {}
        self._resolve_jobs()
        for sched in given.schedules:
            self._add_schedule(sched)
        for sens in given.sensors:
            self._add_sensor(sens)
        self._check_executor(self.executor, "Definitions")

    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        """One Definitions holding everything of each (Dagster's `Definitions.merge`): their
        lists joined; a resource, logger or executor given differently by two is an error."""
        return Definitions(**merged_args([d.given for d in def_sets]).__dict__)

    # -- assets ---------------------------------------------------------------------------------
    def _build_asset_graph(self) -> AssetGraph:
        """Every key of every asset definition, external ones included (specs, source assets and
        deps no asset defines, as Dagster does), with its data inputs and upstream keys."""
        self.assets_defs = [_as_assets_definition(a) for a in self.assets_defs]
        nodes: dict[AssetKey, AssetNode] = {}
        for a in self.assets_defs:
            for key, spec in a.specs_by_key.items():
                if key in nodes:
                    f1, l1 = nodes[key].source
                    f2, l2 = a.source
                    raise DefinitionError(
                        f"duplicate asset key {key.to_user_string()!r}, also defined at {f1}:{l1}",
                        file=f2,
                        line=l2,
                        obj=key.to_user_string(),
                        fix="rename one of them, or give one a key_prefix",
                    )
                nodes[key] = AssetNode(key, spec, a)
        by_name: dict[str, list[AssetKey]] = {}
        for key in nodes:
            by_name.setdefault(key.name, []).append(key)

        upstream: dict[AssetKey, frozenset[AssetKey]] = {}
        data_inputs: dict[AssetKey, dict[str, AssetKey]] = {}
        for a in self.assets_defs:
            inputs: dict[str, AssetKey] = {}
            others = a.params.others if a.params is not None else ()
            prefix = a.key_prefix if others and len(a.specs_by_key) == 1 else ()
            for p in others:
                if p.name in a.ins:
                    up = a.ins[p.name].upstream_key(p.name)
                    if up not in nodes:
                        raise self._unknown_dep(a, p.name, up.to_user_string(), nodes)
                elif p.name in self.resources:
                    continue
                else:
                    found = find_upstream(prefix, p.name, by_name)
                    if found is None:
                        if p.has_default:
                            continue
                        raise self._unknown_dep(a, p.name, p.name, nodes)
                    up = found
                if up in a.specs_by_key:
                    raise self._cycle_error([up, up])
                inputs[p.name] = up
            for key, spec in a.specs_by_key.items():
                if inputs or spec.deps:
                    upstream[key] = frozenset({*inputs.values(), *(d.asset_key for d in spec.deps)} - {key})
                else:
                    upstream[key] = NO_KEYS  # a root: one shared empty set, not one per asset
                data_inputs[key] = inputs
        # deps naming keys no asset defines are external assets (Dagster shows them as such)
        missing = [k for ups in upstream.values() for k in ups if k not in nodes]
        for key in missing:
            if key not in nodes:
                spec = AssetSpec(key)
                nodes[key] = AssetNode(key, spec, external_assets([spec]))
                upstream[key] = frozenset()
                data_inputs[key] = {}
        order, cycle = order_or_cycle(upstream)
        if cycle:
            raise self._cycle_error(cycle, nodes)
        return AssetGraph(nodes, upstream, data_inputs, order)

    def _check_required_resources(self) -> None:
        """Every `required_resource_keys` entry of an asset, and of a resource, must be provided
        (Dagster refuses such Definitions at load)."""
        for a in self.assets_defs:
            for key in sorted(getattr(a, "required_resource_keys", ())):
                if key not in self.resources:
                    label = ", ".join(k.to_user_string() for k in a.keys) if not a.multi else a.op_name
                    raise missing_resource_error(f"asset {label}", key, None, a.source)
        for a in self.assets_defs:  # an IO manager key nobody provides (Dagster refuses it at load)
            for asset_key, io_key in a.io_manager_keys_by_key.items():
                if io_key not in self.resources and a.fn is not None:
                    raise missing_resource_error(
                        f"asset {asset_key.to_user_string()}", io_key, None, a.source
                    )
        for name, res in self.resources.items():
            for key in sorted(getattr(res, "required_resource_keys", None) or ()):
                if isinstance(res, ResourceDefinition) and key not in self.resources:
                    raise missing_resource_error(f"resource {name}", key, res.resource_fn)

    def _unknown_dep(
        self, a: AssetsDefinition, param: str | None, name: str, keys: Iterable[AssetKey]
    ) -> DefinitionError:
        file, line = a.source
        what = f"parameter {param!r} names" if param else "deps names"
        hint = did_you_mean(name, [k.to_user_string() for k in keys])
        fix = hint or (
            f"define an asset named {name!r}, or add a resource {name!r} to Definitions(resources=...)"
            if param
            else f"define an asset named {name!r} or remove it from deps"
        )
        label = ", ".join(k.to_user_string() for k in a.keys) if not a.multi else a.op_name
        typed = [p for p in (a.params.others if a.params else ()) if p.name == param]
        if typed and is_resource_annotation(typed[0].annotation):
            return missing_resource_error(f"asset {label}", name, None, a.source)
        return DefinitionError(
            f"{what} unknown asset {name!r}", file=file, line=line, obj=f"asset {label}", fix=fix
        )

    def _cycle_error(
        self, cycle: list[AssetKey], nodes: Mapping[AssetKey, AssetNode] | None = None
    ) -> DefinitionError:
        first = (nodes or self.assets_by_key_raw()).get(cycle[0])
        file, line = first.source if first else (None, None)
        path = " -> ".join(k.to_user_string() for k in cycle)
        return DefinitionError(
            f"dependency cycle {path}",
            file=file,
            line=line,
            obj=f"asset {cycle[0].to_user_string()}",
            fix="remove one of these dependencies so data flows one way",
        )

    def assets_by_key_raw(self) -> dict[AssetKey, AssetsDefinition]:
        return {k: a for a in self.assets_defs if isinstance(a, AssetsDefinition) for k in a.keys}

    def _add_check(self, c: AssetChecksDefinition) -> None:
        if not isinstance(c, AssetChecksDefinition):
            raise DefinitionError(
                f"{c!r} in asset_checks=[...] is not an asset check", fix="use @asset_check"
            )
        if isinstance(c, MultiAssetChecksDefinition):
            for check in c.checks():
                self._add_check(check)
            self.check_inputs[c.step_key] = {}
            return
        file, line = c.source
        obj = f"asset check {c.name}"
        graph = self.asset_graph
        if c.asset_key not in graph.assets:
            raise DefinitionError(
                f"checks unknown asset {c.asset_key.to_user_string()!r}",
                file=file,
                line=line,
                obj=obj,
                fix=did_you_mean(c.asset_key.to_user_string(), graph.by_string)
                or "name an asset in Definitions",
            )
        existing = self.checks_by_asset.setdefault(c.asset_key, [])
        if any(e.name == c.name for e in existing):
            raise DefinitionError(
                f"duplicate check name {c.name!r} on asset {c.asset_key.to_user_string()}",
                file=file,
                line=line,
                obj=obj,
                fix="rename one check",
            )
        if c.runner is not None:  # declared by an AssetCheckSpec: its function's step evaluates it
            existing.append(c)
            return
        inputs = check_inputs(c, graph, self.resources)
        existing.append(c)
        self.check_inputs[c.step_key] = inputs

    @property
    def asset_checks(self) -> list[AssetChecksDefinition]:
        return [c for checks in self.checks_by_asset.values() for c in checks]

    # -- jobs -----------------------------------------------------------------------------------
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
    def _add_schedule(self, s: ScheduleDefinition) -> None:
        file, line = s.source
        obj = f"schedule {s.name}"
        if not isinstance(s, ScheduleDefinition):
            raise DefinitionError(
                f"{s!r} in schedules=[...] is not a schedule", fix="use ScheduleDefinition or @schedule"
            )
        if s.name in self.schedules or s.name in self.sensors:
            raise DefinitionError(
                f"duplicate schedule name {s.name!r}", file=file, line=line, obj=obj, fix="rename one"
            )
        if not croniter.is_valid(s.cron_schedule):
            raise DefinitionError(
                f"invalid cron string {s.cron_schedule!r}",
                file=file,
                line=line,
                obj=obj,
                fix="use five fields: minute hour day-of-month month day-of-week, e.g. '0 * * * *'",
            )
        try:
            zoneinfo.ZoneInfo(s.execution_timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise DefinitionError(
                f"unknown time zone {s.execution_timezone!r}",
                file=file,
                line=line,
                obj=obj,
                fix="use an IANA name such as 'UTC' or 'Europe/Berlin'",
            ) from None
        self._adopt_job(s.job)
        self._check_target_job(s.job_name, file, line, obj)
        self.schedules[s.name] = s  # type: ignore[index]

    def _add_sensor(self, s: SensorDefinition) -> None:
        file, line = s.source
        obj = f"sensor {s.name}"
        if not isinstance(s, SensorDefinition):
            raise DefinitionError(
                f"{s!r} in sensors=[...] is not a sensor", fix="use @sensor, file_sensor or asset_sensor"
            )
        if s.name in self.sensors or s.name in self.schedules:
            raise DefinitionError(
                f"duplicate sensor name {s.name!r}", file=file, line=line, obj=obj, fix="rename one"
            )
        for job in (s.job, *s.jobs):
            self._adopt_job(job)
        if s.kind not in ("custom", "run_status") or s.job_name is not None:
            self._check_target_job(s.job_name, file, line, obj)
        if s.kind == "asset" and s.asset_key not in self.asset_graph.assets:
            raise DefinitionError(
                f"watches unknown asset {s.asset_key}",
                file=file,
                line=line,
                obj=obj,
                fix=did_you_mean(str(s.asset_key), self.asset_graph.by_string) or "name an existing asset",
            )
        self.sensors[s.name] = s

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
    def get_asset(self, key: AssetKey | str) -> AssetsDefinition:
        k = AssetKey.from_coercible(key)
        return self.asset_graph.assets[k].definition

    def describe(self) -> str:
        counts = (
            (len(self.asset_graph.assets), "asset"),
            (len(self.job_names), "job"),
            (len(self.schedules), "schedule"),
            (len(self.sensors), "sensor"),
        )
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts)


def _as_assets_definition(a: Any) -> AssetsDefinition:
    """An entry of `assets=[...]`: an asset definition, or an `AssetSpec` / `SourceAsset` that
    declares an external asset."""
    if isinstance(a, AssetsDefinition):
        return a
    if isinstance(a, AssetSpec):
        return external_assets([a])
    if isinstance(a, SourceAsset):
        ext = external_assets([a.to_spec()])
        ext.io_manager_keys_by_key[a.key] = a.io_manager_key
        return ext
    raise DefinitionError(f"{a!r} in assets=[...] is not an asset", fix="decorate the function with @asset")


def _flatten(items: Iterable[Any] | None) -> list[Any]:
    out: list[Any] = []
    for item in items or ():
        if isinstance(item, list | tuple):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out
