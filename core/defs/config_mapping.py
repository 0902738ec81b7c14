"""`@config_mapping` / `ConfigMapping` (a graph's or job's simpler outer config, mapped onto its
ops' config) and `configured` (an op with its config fixed, or computed from a smaller one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.config import plain_run_config
from dagdeck.core.defs.config_types import ANY, NO_DEFAULT, ConfigType, ConfigValueError, Field, schema_field
from dagdeck.core.errors import DefinitionError, where_defined


def _outer_field(config_schema: Any) -> Field:
    """The outer schema; none given means any value, `{}` when run config says nothing."""
    return schema_field(config_schema) or Field(ANY, default_value={})


@dataclass(eq=False)
class ConfigMapping:
    """Maps a value of `config_schema` to the config of the ops inside (`{"op": {"config": ...}}`
    on a graph, a whole run config on a job)."""

    config_fn: Callable[[Any], Any]
    config_schema: Any = None
    receive_processed_config_values: bool | None = None
    description: str | None = None
    outer: Field = field(init=False)

    def __post_init__(self) -> None:
        self.outer = _outer_field(self.config_schema)

    def resolve(self, value: Any, path: str) -> dict[str, Any]:
        """The inner config for the outer `value` (NO_DEFAULT when run config gives none)."""
        if value is NO_DEFAULT and not self.outer.default_provided:
            raise ConfigValueError(f"Missing required config entry {_at_entry(path)}")
        mapped = self.config_fn(self.outer.process(value, path))
        if not isinstance(mapped, Mapping):
            file, line = where_defined(self.config_fn)
            raise ConfigValueError(
                f"config mapping {getattr(self.config_fn, '__name__', '')!r} ({file}:{line}) returned "
                f"{type(mapped).__name__}, not a dict of config"
            )
        return plain_run_config(mapped)


def _at_entry(path: str) -> str:
    parent, _, name = path.rpartition(":")
    return f'"{name}" at path {parent}' if parent else f"at path {path}"


def config_mapping(
    config_fn: Callable[[Any], Any] | None = None,
    *,
    config_schema: Any = None,
    receive_processed_config_values: bool | None = None,
) -> Any:
    """`@config_mapping` or `@config_mapping(config_schema=...)` over `fn(outer) -> inner config`."""

    def build(fn: Callable[[Any], Any]) -> ConfigMapping:
        return ConfigMapping(fn, config_schema, receive_processed_config_values, fn.__doc__)

    return build(config_fn) if config_fn is not None else build


class ConfiguredType(ConfigType):
    """The config of a `configured` op: its original schema behind a fixed value, or behind a
    function of a smaller schema (`outer`)."""

    def __init__(self, inner: Field | None, config_or_fn: Any, outer: Field | None) -> None:
        self.inner, self.config_or_fn, self.outer = inner, config_or_fn, outer

    def default(self) -> Any:
        if not callable(self.config_or_fn):
            return None  # the op's config is fixed: run config may leave it out
        return self.outer.default_value if self.outer is not None else NO_DEFAULT

    def process(self, value: Any, path: str) -> Any:
        if callable(self.config_or_fn):
            outer = self.outer.process(value, path) if self.outer is not None else value
            inner_value = self.config_or_fn(outer)
        else:
            inner_value = self.config_or_fn
        return self.inner.process(inner_value, path) if self.inner is not None else inner_value

    def describe(self) -> str:
        return self.outer.config_type.describe() if self.outer is not None else "Any"


def configure(
    definition: Any, config_or_config_fn: Any, name: str | None, config_schema: Any = None, **changes: Any
) -> Any:
    """A copy of an op (any dataclass definition with `config_schema`) named `name` whose config
    is fixed or computed: what `op.configured(...)` and `configured(op)(...)` return."""
    if not name:
        file, line = where_defined(getattr(definition, "fn", None))
        raise DefinitionError(
            f"configured({definition.name}) needs a name for the new op",
            file=file,
            line=line,
            obj=f"op {definition.name}",
            fix="pass name='...' to configured(), or use it as a decorator on a named function",
        )
    outer = _outer_field(config_schema) if callable(config_or_config_fn) else None
    schema = Field(ConfiguredType(definition.config_schema, config_or_config_fn, outer))
    return dataclasses.replace(definition, name=name, config_schema=schema, **changes)


def configured(
    configurable: Any, config_schema: Any = None, *, name: str | None = None, **kwargs: Any
) -> Any:
    """`configured(op, name="x")({...})` or `@configured(op, config_schema=...)` over a function
    from the smaller config to the op's config. Anything with a `.configured` method works."""

    def apply(config_or_config_fn: Any) -> Any:
        new_name = name or (
            getattr(config_or_config_fn, "__name__", None) if callable(config_or_config_fn) else None
        )
        method = getattr(configurable, "configured", None)
        if method is None:
            raise DefinitionError(
                f"{configurable!r} cannot be configured",
                fix="configured() takes an op (resources come later)",
            )
        return method(config_or_config_fn, name=new_name, config_schema=config_schema, **kwargs)

    return apply


@dataclass(frozen=True)
class JobConfig:
    """What a job adds to the config of its runs: defaults from `job(config={...})`, an outer
    schema from `job(config=ConfigMapping(...))`, and its nested graphs' config mappings."""

    defaults: dict[str, Any] = field(default_factory=dict)
    mapping: ConfigMapping | None = None
    graph_mappings: dict[str, ConfigMapping] = field(default_factory=dict)
    """Node path of a nested graph (`outer.inner`) -> its config mapping."""


def graph_config_mapping(config: Any) -> ConfigMapping | None:
    """`@graph(config=...)`: a mapping as given, or a dict of its ops' config fixed for every run."""
    if config is None or isinstance(config, ConfigMapping):
        return config
    fixed = plain_run_config(config)
    return ConfigMapping(lambda _outer: fixed)


def job_config_parts(config: Any) -> tuple[dict[str, Any], ConfigMapping | None]:
    """`job(config=...)`: (default run config, outer config mapping); a dict or `RunConfig` is
    the default of every run, a `ConfigMapping` gives the job a simpler outer config."""
    if isinstance(config, ConfigMapping):
        return {}, config
    return plain_run_config(config), None


def job_config_of(
    defaults: Mapping[str, Any] | None,
    mapping: ConfigMapping | None = None,
    graph_mappings: Mapping[str, ConfigMapping] | None = None,
) -> JobConfig | None:
    """The `JobConfig` of a plan; None (nothing to apply) for the usual job without any."""
    if not defaults and mapping is None and not graph_mappings:
        return None
    return JobConfig(dict(defaults or {}), mapping, dict(graph_mappings or {}))
