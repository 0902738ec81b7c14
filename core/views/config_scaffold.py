"""A job's run config to start editing from: every step that takes config, with its `Config`
class's or `config_schema=`'s defaults filled in and `null` where a value is required (so the
engine's validation names what is still missing), under the job's own config defaults.

The console's `L` on a job opens it; the same validation as a launch checks the edited result."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from dagdeck.core.defs.config_types import (
    NO_DEFAULT,
    Array,
    ConfigType,
    Enum,
    Field,
    Map,
    Noneable,
    Permissive,
    Selector,
    Shape,
)
from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.running.plan import ExecutionPlan, Step
from dagdeck.core.running.plan_job import plan_job
from dagdeck.core.running.run_config import merged_config

REQUIRED: None = None
"""What a required value with no default is written as: validation then says it is missing."""


def config_scaffold(defs: Definitions, job_name: str) -> dict[str, Any]:
    """`{"ops": {step: {"config": {...}}}}` for the steps of `job_name` that take config."""
    plan = plan_job(defs, job_name)
    job_config = plan.job_config
    if job_config is not None and job_config.mapping is not None:
        return _jsonable(dict(job_config.defaults or {}))  # the mapping's outer config is the job's own
    ops: dict[str, Any] = {}
    for step in plan.steps.values():
        value = _step_config(step)
        if value is NO_DEFAULT:
            continue
        _put(ops, _entry_path(plan, step), {"config": value})
    scaffold: dict[str, Any] = {"ops": ops} if ops else {}
    if job_config is not None and job_config.defaults:
        scaffold = merged_config(scaffold, job_config.defaults)
    return _jsonable(scaffold)


def _step_config(step: Step) -> Any:
    """The step's config entry to write, or NO_DEFAULT for a step that takes no config."""
    if step.config_schema is not None:
        return _field_value(step.config_schema)
    if step.params.config_type is not None:
        fields = step.params.config_type.model_fields
        return _model_value(step.params.config_type) if fields else NO_DEFAULT
    return NO_DEFAULT


def _entry_path(plan: ExecutionPlan, step: Step) -> list[str]:
    """Where run config names the step: an asset by its key, an op inside graphs by its node path."""
    if step.kind == "asset" and step.asset_key is not None:
        return ["__".join(step.asset_key.path)]
    if step.kind == "asset" and step.op_name:
        return [step.op_name]
    return step.key.split("[", 1)[0].split(".")


def _put(ops: dict[str, Any], path: list[str], entry: dict[str, Any]) -> None:
    """`a.b.op` goes to `{"a": {"ops": {"b": {"ops": {"op": entry}}}}}`, as Dagster writes graphs."""
    for name in path[:-1]:
        ops = ops.setdefault(name, {}).setdefault("ops", {})
    ops.setdefault(path[-1], entry)


def _model_value(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            out[name] = info.get_default(call_default_factory=True)
        elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            out[name] = _model_value(info.annotation)
        else:
            out[name] = REQUIRED
    return out


def _field_value(field: Field) -> Any:
    if field.default_provided:
        return field.default_value
    return _type_value(field.config_type) if field.is_required else REQUIRED


def _type_value(config_type: ConfigType) -> Any:
    if isinstance(config_type, Permissive):
        return {name: _field_value(f) for name, f in config_type.fields.items() if f.is_required}
    if isinstance(config_type, Shape):
        return {name: _field_value(f) for name, f in config_type.fields.items()}
    if isinstance(config_type, Selector):
        name, f = next(iter(config_type.fields.items()), (None, None))
        return {name: _field_value(f)} if name is not None and f is not None else {}
    if isinstance(config_type, Array):
        return []
    if isinstance(config_type, Map):
        return {}
    if isinstance(config_type, Noneable):
        return None
    if isinstance(config_type, Enum):
        return config_type.enum_values[0].config_value if config_type.enum_values else REQUIRED
    return REQUIRED


def _jsonable(value: Any) -> Any:
    """Defaults as JSON writes them: an enum by its member name (as config takes it), a model as
    its fields, anything else unknown as its text."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, BaseModel):
        return _jsonable(value.model_dump())
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
