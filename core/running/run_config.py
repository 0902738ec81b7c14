"""Run config (`{"ops": {step: {"config": {...}}}}`) checked against a plan before a run starts.

`step_configs` gives each step what it reads: a pydantic `Config` instance for a `config`
parameter, or the processed value of its `config_schema=` (`context.op_config`). The job's config
defaults and config mappings apply first; nested graphs' ops are written
`{"ops": {"graph": {"ops": {"op": {...}}}}}` as in Dagster. Every problem is one RunConfigError
naming the step and the path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from dagdeck.core.defs.config_mapping import ConfigMapping
from dagdeck.core.defs.config_types import NO_DEFAULT, ConfigValueError
from dagdeck.core.errors import RunConfigError, did_you_mean
from dagdeck.core.running.plan import ExecutionPlan, Step

CONFIG_FORM = '{"ops": {"STEP": {"config": {...}}}}'
SECTIONS = ("ops", "resources", "execution", "loggers")
"""The top-level entries of a run config Dagster accepts."""


def step_configs(plan: ExecutionPlan, run_config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate run config before the run starts: step key -> what the step's config reads."""
    if not isinstance(run_config or {}, Mapping):
        raise RunConfigError(f"run config must be an object like {CONFIG_FORM}")
    run_config = _with_job_config(plan, dict(run_config or {}))
    problem = config_shape_problem(run_config)
    if problem:
        raise RunConfigError(f"run config: {problem}; run config looks like {CONFIG_FORM}")
    unknown = [k for k in run_config if k not in SECTIONS]
    if unknown:
        raise RunConfigError(
            f'run config: received unexpected config entry "{unknown[0]}" at the root; '
            f"a run config has {', '.join(SECTIONS)}"
        )
    entries = _StepEntries(plan).read(dict(run_config.get("ops") or {}))
    out: dict[str, Any] = {}
    for step in plan.steps.values():
        entry = entries.get(_config_key(step.key))
        if step.config_schema is not None:
            out[step.key] = _schema_config(step, entry)
        elif step.params.config_type is not None:
            out[step.key] = _pydantic_config(step, entry)
        elif entry is not None:  # no schema: whatever run config gives (Dagster's `Any`)
            _refuse_extra_entries(step, entry)
            if entry.get("config") is not None:
                out[step.key] = entry["config"]
    return out


def _with_job_config(plan: ExecutionPlan, run_config: dict[str, Any]) -> dict[str, Any]:
    """The run config after the job's own: its config mapping, then its defaults under it."""
    job_config = plan.job_config
    if job_config is None:
        return run_config
    if job_config.mapping is not None:
        try:
            run_config = job_config.mapping.resolve(run_config, "root")
        except ConfigValueError as err:
            raise RunConfigError(f"run config for job {plan.job_name!r} is invalid: {err}") from None
    return merged_config(job_config.defaults, run_config) if job_config.defaults else run_config


def merged_config(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`, object by object: a job's default config fills what a run leaves out."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged_config(out[key], value)
        else:
            out[key] = value
    return out


def _config_key(step_key: str) -> str:
    """The node a step's config is written for: a mapped step `op[k]` reads the config of `op`."""
    return step_key.split("[", 1)[0]


def _op_path(step: Step) -> str:
    """Where the step's entry sits in run config, as Dagster names paths (`root:ops:g:ops:op`)."""
    if step.kind == "asset" and step.asset_key is not None:
        return f"root:ops:{'__'.join(step.asset_key.path)}"
    if step.kind == "asset" and step.op_name:  # a multi-asset: its op's name
        return f"root:ops:{step.op_name}"
    return "root:ops:" + ":ops:".join(_config_key(step.key).split("."))


class _StepEntries:
    """Reads the `ops` section into step key -> entry, through nested graphs and their mappings."""

    def __init__(self, plan: ExecutionPlan) -> None:
        self.plan = plan
        self.names: dict[str, str] = {}
        self.graphs: set[str] = set()
        for step in plan.steps.values():
            key = _config_key(step.key)
            self.names[key] = key
            if step.asset_key is not None and step.kind == "asset":
                self.names.setdefault(step.asset_key.name, key)
                self.names.setdefault("__".join(step.asset_key.path), key)
            elif step.kind == "asset" and step.op_name:
                self.names.setdefault(step.op_name, key)
            parts = key.split(".")
            self.graphs.update(".".join(parts[:i]) for i in range(1, len(parts)))
        job_config = plan.job_config
        self.mappings: dict[str, ConfigMapping] = dict(job_config.graph_mappings) if job_config else {}
        self.mapped: set[str] = set()
        self.out: dict[str, Mapping[str, Any]] = {}

    def read(self, ops: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        self._walk(ops, "", "root:ops")
        for graph in sorted(self.mappings, key=lambda g: g.count(".")):
            if graph in self.graphs and graph not in self.mapped:  # a mapping with no config given
                self._graph(graph, {}, f"{_graph_path(graph)}")
        return self.out

    def _walk(self, ops: Mapping[str, Any], prefix: str, path: str) -> None:
        for name, entry in ops.items():
            full = f"{prefix}{name}"
            if entry is not None and not isinstance(entry, Mapping):
                raise RunConfigError(
                    f'run config: "ops"."{full}" must be an object, not {_json_kind(entry)}; '
                    f"run config looks like {CONFIG_FORM}"
                )
            if full in self.graphs and full not in self.names:
                self._graph(full, entry or {}, f"{path}:{name}")
            elif full in self.names or (not prefix and name in self.names):
                self.out[self.names.get(full) or self.names[name]] = entry or {}
            else:
                candidates = [n for n in self.names if n.startswith(prefix)] + sorted(self.graphs)
                raise RunConfigError(
                    f"run config names unknown step {full!r} (unexpected entry at path {path}); "
                    + (did_you_mean(full, candidates) or f"steps: {', '.join(self.plan.steps)}")
                )

    def _graph(self, graph: str, entry: Mapping[str, Any], path: str) -> None:
        """A nested graph's entry: its own ops, or the outer config of its config mapping."""
        extra = [k for k in entry if k not in ("ops", "config")]
        if extra:
            raise RunConfigError(
                f'run config: received unexpected config entry "{extra[0]}" at path {path}; '
                'a graph takes "ops" (or "config" when it has a config mapping)'
            )
        inner = dict(entry.get("ops") or {})
        mapping = self.mappings.get(graph)
        if mapping is not None:
            if "ops" in entry:
                raise RunConfigError(
                    f'run config: received unexpected config entry "ops" at path {path}; graph {graph!r} has a '
                    'config mapping, so it takes its outer config under "config"'
                )
            self.mapped.add(graph)
            try:
                inner = merged_config(mapping.resolve(entry.get("config", NO_DEFAULT), f"{path}:config"), inner)
            except ConfigValueError as err:
                raise RunConfigError(f"run config for graph {graph!r} is invalid: {err}") from None
        elif entry.get("config") is not None:
            raise RunConfigError(
                f'run config: received unexpected config entry "config" at path {path}; graph {graph!r} '
                'has no config mapping, so its ops take config under "ops"'
            )
        self._walk(inner, f"{graph}.", f"{path}:ops")


def _graph_path(graph: str) -> str:
    return "root:ops:" + ":ops:".join(graph.split("."))


def _schema_config(step: Step, entry: Mapping[str, Any] | None) -> Any:
    """`context.op_config` of a step with `config_schema=`: defaults filled, sources read."""
    field = step.config_schema
    assert field is not None
    path = _op_path(step)
    raw = entry.get("config", NO_DEFAULT) if entry is not None else NO_DEFAULT
    _refuse_extra_entries(step, entry)
    if raw is NO_DEFAULT and not field.default_provided:
        if not field.is_required:
            return None
        parent, _, name = path.rpartition(":")
        raise RunConfigError(
            f'run config for step {step.key!r} is invalid: missing required config entry "{name}" at path '
            f'{parent}; give it as {{"{name}": {{"config": ...}}}} ({field.config_type.describe()})'
        )
    try:
        return field.process(raw, f"{path}:config")
    except ConfigValueError as err:
        raise RunConfigError(f"run config for step {step.key!r} is invalid: {err}") from None


def _refuse_extra_entries(step: Step, entry: Mapping[str, Any] | None) -> None:
    extra = [k for k in (entry or {}) if k not in ("config", "inputs", "outputs")]
    if extra:
        raise RunConfigError(
            f'run config for step {step.key!r} is invalid: received unexpected config entry "{extra[0]}" '
            f'at path {_op_path(step)}; write {{"config": ...}}'
        )


def _pydantic_config(step: Step, entry: Mapping[str, Any] | None) -> Any:
    """The `Config` instance of a step with a pydantic `config` parameter."""
    ctype = step.params.config_type
    assert ctype is not None
    raw: Any = entry or {}
    raw = raw.get("config", raw)
    if raw is not None and not isinstance(raw, dict):
        raise RunConfigError(
            f'run config: "ops"."{step.key}"."config" must be an object, not {_json_kind(raw)}; '
            f"run config looks like {CONFIG_FORM}"
        )
    try:
        return ctype.model_validate(raw or {})
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in err.errors()
        )
        raise RunConfigError(
            f"run config for step {step.key!r} is invalid: {problems} "
            f"(expected {ctype.__name__} fields: {', '.join(ctype.model_fields) or 'none'})"
        ) from None


def config_shape_problem(data: Mapping[str, Any]) -> str | None:
    """What the planner would trip over, before any plan is known: `ops` must map step names to
    objects. (A step's `config` may be any JSON value: `config_schema=int` takes a number.)"""
    ops = data.get("ops")
    if ops is None:
        return None
    if not isinstance(ops, dict):
        return f'"ops" must be an object of steps, not {_json_kind(ops)}'
    for step, entry in ops.items():
        if entry is not None and not isinstance(entry, dict):
            return f'"ops"."{step}" must be an object, not {_json_kind(entry)}'
    return None


def _json_kind(value: Any) -> str:
    """The JSON word for a parsed value's type ("a number", "a list"), for error messages."""
    kinds = ((bool, "true/false"), (int | float, "a number"), (str, "a string"), (list, "a list"))
    return next((word for kind, word in kinds if isinstance(value, kind)), "null")
