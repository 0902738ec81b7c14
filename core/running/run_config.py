"""Run config (`{"ops": {step: {"config": {...}}}}`) checked against a plan before a run starts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from dagdeck.core.defs.config import Config
from dagdeck.core.errors import RunConfigError, did_you_mean
from dagdeck.core.running.plan import ExecutionPlan

CONFIG_FORM = '{"ops": {"STEP": {"config": {...}}}}'


def step_configs(plan: ExecutionPlan, run_config: Mapping[str, Any]) -> dict[str, Config]:
    """Validate run config (`{"ops": {step: {"config": {...}}}}`) before the run starts."""
    if not isinstance(run_config or {}, Mapping):
        raise RunConfigError(f"run config must be an object like {CONFIG_FORM}")
    problem = config_shape_problem(run_config or {})
    if problem:
        raise RunConfigError(f"run config: {problem}; run config looks like {CONFIG_FORM}")
    ops_cfg = dict((run_config or {}).get("ops") or {})
    names = {}
    for step in plan.steps.values():
        names[step.key] = step.key
        if step.asset_key is not None:
            names.setdefault(step.asset_key.name, step.key)
            names.setdefault("__".join(step.asset_key.path), step.key)
    unknown = [k for k in ops_cfg if k not in names]
    if unknown:
        raise RunConfigError(
            f"run config names unknown step {unknown[0]!r}; "
            + (did_you_mean(unknown[0], names) or f"steps: {', '.join(plan.steps)}")
        )
    by_step = {names[k]: v for k, v in ops_cfg.items()}
    out: dict[str, Config] = {}
    for step in plan.steps.values():
        ctype = step.params.config_type
        if ctype is None:
            continue
        raw = by_step.get(step.key, {})
        raw = raw.get("config", raw) if isinstance(raw, Mapping) else raw
        try:
            out[step.key] = ctype.model_validate(raw or {})
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in err.errors()
            )
            raise RunConfigError(
                f"run config for step {step.key!r} is invalid: {problems} "
                f"(expected {ctype.__name__} fields: {', '.join(ctype.model_fields) or 'none'})"
            ) from None
    return out


def config_shape_problem(data: Mapping[str, Any]) -> str | None:
    """What the planner would trip over: `ops` must map step names to objects, and `config`, where
    given, must be an object."""
    ops = data.get("ops")
    if ops is None:
        return None
    if not isinstance(ops, dict):
        return f'"ops" must be an object of steps, not {_json_kind(ops)}'
    for step, entry in ops.items():
        if entry is None:
            continue
        if not isinstance(entry, dict):
            return f'"ops"."{step}" must be an object, not {_json_kind(entry)}'
        if entry.get("config") is not None and not isinstance(entry["config"], dict):
            return f'"ops"."{step}"."config" must be an object, not {_json_kind(entry["config"])}'
    return None


def _json_kind(value: Any) -> str:
    """The JSON word for a parsed value's type ("a number", "a list"), for error messages."""
    kinds = ((bool, "true/false"), (int | float, "a number"), (str, "a string"), (list, "a list"))
    return next((word for kind, word in kinds if isinstance(value, kind)), "null")
