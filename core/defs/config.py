"""Run config: a pydantic model as a step parameter named `config`, and `RunConfig`, the typed
way to write a whole run's config."""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class Config(BaseModel):
    """Subclass with typed fields; values come from the run's JSON config and are validated
    before the run starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _enum_names(cls, data: Any) -> Any:
        """An enum field takes its member's name (`"BLUE"`), as Dagster's config writes enums."""
        if not isinstance(data, dict):
            return data
        named = {}
        for name, info in cls.model_fields.items():
            value = data.get(name)
            enum_type = _enum_in(info.annotation) if isinstance(value, str) else None
            if enum_type is not None and value in enum_type.__members__:
                named[name] = enum_type[value]
        return {**data, **named} if named else data


def _enum_in(annotation: Any) -> type[enum.Enum] | None:
    """The Enum class of a field annotated `E` or `E | None`."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


class RunConfig(Mapping[str, Any]):
    """A run's config with `Config` instances as values (`RunConfig(ops={"op": MyConfig(n=1)})`).

    It reads as the plain dict it stands for (`{"ops": {"op": {"config": {"n": 1}}}}`), so it goes
    wherever a run config dict goes and is stored as JSON like one."""

    def __init__(
        self,
        ops: Mapping[str, Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        loggers: Mapping[str, Any] | None = None,
        execution: Mapping[str, Any] | None = None,
    ) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        return {
            "loggers": dict(self.loggers),
            "resources": {k: _entry(v) for k, v in self.resources.items()},
            "ops": {k: _entry(v) for k, v in self.ops.items()},
            "execution": dict(self.execution),
        }

    def __getitem__(self, key: str) -> Any:
        return self.to_config_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("loggers", "resources", "ops", "execution"))

    def __len__(self) -> int:
        return 4

    def __repr__(self) -> str:
        return f"RunConfig({self.to_config_dict()!r})"


def _entry(value: Any) -> Any:
    """One op's or resource's entry: a `Config` instance becomes `{"config": {...}}`."""
    if isinstance(value, BaseModel):
        return {"config": value.model_dump(mode="json")}
    if isinstance(value, RunConfig):  # a nested graph's ops
        return {"ops": value.to_config_dict()["ops"]}
    return value


def plain_run_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """A run config as plain JSON-ready dicts, whether written as a dict or a `RunConfig`."""
    if config is None:
        return {}
    return config.to_config_dict() if isinstance(config, RunConfig) else dict(config)


def op_config_value(config: Any) -> Any:
    """What `context.op_config` reads: a step's `Config` instance as the plain dict Dagster gives
    (defaults filled, enums as their values); a `config_schema=` value as it is."""
    return config.model_dump(mode="json") if isinstance(config, BaseModel) else config
