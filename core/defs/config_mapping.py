"""`@config_mapping` / `ConfigMapping` (a graph's or job's simpler outer config, mapped onto its
ops' config) and `configured` (an op with its config fixed, or computed from a smaller one)."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from dagdeck.core.defs.config import Config, plain_run_config
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
    config_class: type[Config] | None = field(init=False)
    """The pydantic `Config` the function's parameter is annotated with: it gets an instance."""

    def __post_init__(self) -> None:
        self.outer = _outer_field(self.config_schema)
        self.config_class = _config_class(self.config_fn) if self.config_schema is None else None

    def resolve(self, value: Any, path: str) -> dict[str, Any]:
        """The inner config for the outer `value` (NO_DEFAULT when run config gives none)."""
        if value is NO_DEFAULT and not self.outer.default_provided:
            raise ConfigValueError(f"Missing required config entry {_at_entry(path)}")
        outer = self.outer.process(value, path)
        if self.config_class is not None:
            outer = _config_instance(self.config_class, outer, path)
        try:
            mapped = self.config_fn(outer)
        except Exception as err:  # the user's function: one line naming it, never a traceback
            raise ConfigValueError(
                f"the config mapping function {self._where()} raised {type(err).__name__}: {err}"
            ) from None
        if not isinstance(mapped, Mapping):
            raise ConfigValueError(
                f"config mapping {self._where()} returned {type(mapped).__name__}, not a dict of config"
            )
        return plain_run_config(mapped)

    def _where(self) -> str:
        file, line = where_defined(self.config_fn)
        return f"{getattr(self.config_fn, '__name__', '')!r} ({file}:{line})"


def _config_class(fn: Callable[..., Any]) -> type[Config] | None:
    """The `Config` subclass the function's first parameter is annotated with, if any."""
    try:
        params = list(inspect.signature(fn, eval_str=True).parameters.values())
    except (NameError, TypeError, SyntaxError, ValueError):
        return None
    ann = params[0].annotation if params else None
    return ann if isinstance(ann, type) and issubclass(ann, Config) else None


def _config_instance(config_class: type[Config], value: Any, path: str) -> Config:
    """The outer config as an instance of the mapping's `Config`; problems named as Dagster does."""
    if not isinstance(value, Mapping):
        raise ConfigValueError(
            f"Value {_at(path)} must be dict. Expected: the fields of {config_class.__name__}"
        )
    try:
        return config_class.model_validate(dict(value))
    except ValidationError as err:
        raise ConfigValueError("; ".join(_problem(e, path) for e in err.errors())) from None


def _problem(error: Any, path: str) -> str:
    """One pydantic error in Dagster's words (`Missing required config entry "x" at the root`)."""
    *parents, name = [str(p) for p in error["loc"]] or ["(root)"]
    parent = ":".join([path, *parents])
    if error["type"] == "missing":
        return f'Missing required config entry "{name}" {_at(parent)}'
    if error["type"] == "extra_forbidden":
        return f'Received unexpected config entry "{name}" {_at(parent)}'
    return f"Invalid value at path {parent}:{name}: {error['msg']}"


def _at(path: str) -> str:
    return "at the root" if path == "root" else f"at path {path}"


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
        raise DefinitionError.at(
            getattr(definition, "fn", None),
            f"configured({definition.name}) needs a name for the new op",
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
