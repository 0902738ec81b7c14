"""Dagster's resources: `ConfigurableResource` (pydantic fields), `@resource` functions as
`ResourceDefinition`s, `EnvVar` and `ResourceParam`.

These are definitions only; core/running/run_resources.py initializes them once per run and tears
them down at its end. A plain object given in `Definitions(resources=)` stays a resource as it is.
An `EnvVar` field keeps the variable's NAME until the run resolves it, so its value never reaches
the run record, the logs or the console.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from dagdeck.core.defs.config_types import ConfigSchemaError, Field, schema_field
from dagdeck.core.errors import DefinitionError

T = TypeVar("T")

ResourceParam = Annotated[T, "resource_param"]
"""`ResourceParam[MyClient]` annotates a parameter that takes a plain object resource."""

ResourceDependency = Annotated[T, "resource_dependency"]
"""`ResourceDependency[MyClient]` types a ConfigurableResource field that holds another resource."""


class EnvVar(str):
    """A config value read from the environment when the run starts (`EnvVar("TOKEN")`)."""

    @property
    def env_var_name(self) -> str:
        return str.__str__(self)

    def get_value(self, default: str | None = None) -> str | None:
        return os.environ.get(self.env_var_name, default)

    def __repr__(self) -> str:
        return f"EnvVar({self.env_var_name!r})"

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        return IntEnvVar(name)


class IntEnvVar(EnvVar):
    """`EnvVar.int("PORT")`: the variable's value as an int."""

    def __repr__(self) -> str:
        return f"EnvVar.int({self.env_var_name!r})"


class InitResourceContext:
    """What a `@resource` function and `setup_for_execution` receive."""

    def __init__(
        self,
        resource_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        log: logging.Logger | None = None,
        instance: Any = None,
    ) -> None:
        self.resource_config = resource_config
        self.resources = SimpleNamespace(**dict(resources or {}))
        self.run_id = run_id
        self.log = log or logging.getLogger("dagdeck.resources")
        self.instance = instance

    @property
    def dagster_run(self) -> Any:
        return SimpleNamespace(run_id=self.run_id)


def build_init_resource_context(
    config: Any = None, resources: Mapping[str, Any] | None = None, instance: Any = None
) -> InitResourceContext:
    """A context for calling a `@resource` function directly in a unit test."""
    return InitResourceContext(resource_config=config, resources=resources, instance=instance)


UNSET = object()


class ResourceDefinition:
    """A resource made by a function (`@resource`): its return value (or the value it yields, with
    the code after `yield` as teardown) is what steps receive."""

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
    ) -> None:
        self.resource_fn = resource_fn
        self.config_field: Field | None = _schema(config_schema, resource_fn)
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version
        self.configured_config: Any = UNSET
        """Config fixed by `configured`; run config then gives none."""

    @property
    def config_schema(self) -> Field | None:
        return self.config_field

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        return ResourceDefinition(lambda _ctx: value, description=description)

    @staticmethod
    def mock_resource(description: str | None = None) -> ResourceDefinition:
        from unittest import mock  # only tests ask for a mock; keep unittest out of every load

        return ResourceDefinition.hardcoded_resource(mock.MagicMock(), description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        return ResourceDefinition.hardcoded_resource(None, description)

    @staticmethod
    def string_resource(description: str | None = None) -> ResourceDefinition:
        return ResourceDefinition(lambda ctx: ctx.resource_config, config_schema=str, description=description)

    def configured(
        self,
        config_or_config_fn: Any,
        config_schema: Any = None,
        description: str | None = None,
        name: str | None = None,
    ) -> ResourceDefinition:
        """A copy whose config is fixed, or computed by `config_or_config_fn` from a smaller schema."""
        copy = ResourceDefinition(
            self.resource_fn,
            description=description or self.description,
            required_resource_keys=self.required_resource_keys,
            version=self.version,
        )
        copy.config_field = self.config_field
        if callable(config_or_config_fn):
            outer = _schema(config_schema, self.resource_fn)
            copy.config_field = outer
            copy.configured_config = ConfigFn(config_or_config_fn, self.config_field)
        else:
            copy.configured_config = config_or_config_fn
        return copy

    def resource_config(self, run_config_entry: Any, path: str) -> Any:
        """The config `init_context.resource_config` holds: fixed by `configured`, else from run config
        through the schema. Raises ConfigValueError (from Field.process) for a bad value."""
        fixed = self.configured_config
        if isinstance(fixed, ConfigFn):
            raw = self.config_field.process(run_config_entry, path) if self.config_field else run_config_entry
            return fixed.apply(raw, path)
        if fixed is not UNSET:
            return self.config_field.process(fixed, path) if self.config_field else fixed
        if self.config_field is None:
            return run_config_entry
        return self.config_field.process(run_config_entry, path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Called directly in a test: `my_resource(build_init_resource_context(config=...))`."""
        fn = self.resource_fn
        call_args = (
            (args[0] if args else kwargs.get("context", InitResourceContext()),) if _takes_context(fn) else ()
        )
        if inspect.isgeneratorfunction(fn):  # a yield-style resource: a context manager, as in Dagster
            return contextlib.contextmanager(fn)(*call_args)
        return fn(*call_args)

    def __repr__(self) -> str:
        return f"ResourceDefinition({getattr(self.resource_fn, '__name__', 'resource')})"


class ConfigFn:
    """`configured(fn, config_schema=)`: `fn` maps the outer config to the resource's own."""

    def __init__(self, fn: Callable[[Any], Any], inner: Field | None) -> None:
        self.fn = fn
        self.inner = inner

    def apply(self, outer: Any, path: str) -> Any:
        value = self.fn(outer)
        return self.inner.process(value, path) if self.inner else value


def _schema(config_schema: Any, fn: Callable[..., Any]) -> Field | None:
    if config_schema is None:
        return None
    try:
        return schema_field(config_schema)
    except ConfigSchemaError as err:
        raise DefinitionError.at(
            fn, f"config_schema: {err.problem}", obj=f"resource {getattr(fn, '__name__', '?')}", fix=err.fix
        ) from None


def _takes_context(fn: Callable[..., Any]) -> bool:
    try:
        return len(inspect.signature(fn).parameters) > 0
    except (TypeError, ValueError):
        return True


def make_values_resource(**kwargs: Any) -> ResourceDefinition:
    """A resource whose value is its own config: typed by `kwargs` (name -> config type), else any."""
    return ResourceDefinition(lambda ctx: ctx.resource_config, config_schema=dict(kwargs) if kwargs else None)


def resource(
    resource_fn: Callable[..., Any] | None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """`@resource` or `@resource(config_schema=...)`: the function (taking `init_context` or
    nothing) returns or yields the resource."""

    def build(fn: Callable[..., Any]) -> ResourceDefinition:
        doc = inspect.cleandoc(fn.__doc__) if fn.__doc__ else None
        return ResourceDefinition(fn, config_schema, description or doc, required_resource_keys, version)

    if resource_fn is not None:
        return build(resource_fn)
    return build


class ConfigurableResource(BaseModel):
    """A resource written as a class with typed fields (Dagster's Pythonic resources).

    Fields may hold `EnvVar("NAME")` (resolved when the run starts) and other resources (nested,
    initialized first). Override `setup_for_execution(context)` / `teardown_after_execution(context)`
    for work at the run's start and end."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    _resource_context: InitResourceContext | None = PrivateAttr(default=None)
    _secret_fields: frozenset[str] = PrivateAttr(default=frozenset())
    """Fields read from an `EnvVar`: a repr shows `***` for them once resolved."""

    def __init__(self, **data: Any) -> None:
        env = {k: v for k, v in data.items() if isinstance(v, EnvVar)}
        # pydantic turns a str subclass into a plain str; keep the EnvVar so the name, not a value, is held
        super().__init__(**{k: (_placeholder(v) if k in env else v) for k, v in data.items()})
        for key, value in env.items():
            self.__dict__[key] = value

    def setup_for_execution(self, context: InitResourceContext) -> None:  # noqa: B027 - optional hook
        """Called once when the run starts, before any step uses the resource."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:  # noqa: B027 - optional hook
        """Called once when the run ends, whatever its outcome."""

    def yield_for_execution(self, context: InitResourceContext) -> Any:
        """Dagster's generator hook: setup, the resource, teardown."""
        self.setup_for_execution(context)
        try:
            yield self
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> InitResourceContext:
        return self._resource_context or InitResourceContext()

    def with_replaced_fields(self, values: Mapping[str, Any]) -> ConfigurableResource:
        """A validated copy with `values` in place of fields (EnvVars resolved, run config applied)."""
        fields = {name: self.__dict__[name] for name in type(self).model_fields if name in self.__dict__}
        return type(self).model_validate({**fields, **values})

    @classmethod
    def configure_at_launch(cls) -> ConfigurableResource:
        """A resource whose fields all come from run config when the run starts."""
        return cls.model_construct()

    def __repr_args__(self) -> Any:
        # a resolved secret must not show in a repr that ends up in a log line
        for name, value in super().__repr_args__():
            yield name, ("***" if name in self._secret_fields else value)


class ConfigurableResourceFactory(ConfigurableResource):
    """A class whose `create_resource(context)` returns the object steps receive."""

    def create_resource(self, context: InitResourceContext) -> Any:
        raise NotImplementedError


def _placeholder(var: EnvVar) -> Any:
    """What pydantic validates in place of an unresolved `EnvVar` (the field's type is checked at run start)."""
    return 0 if isinstance(var, IntEnvVar) else str(var)


def is_resource_definition(value: Any) -> bool:
    """Whether `value` needs initializing per run (else it is a plain object, used as is)."""
    return isinstance(value, (ResourceDefinition, ConfigurableResource))


def is_resource_annotation(annotation: Any) -> bool:
    """Whether a parameter is typed as a resource (`MyResource`, `ResourceParam[T]`): a missing one
    is then reported as a missing resource, not an unknown upstream asset."""
    if isinstance(annotation, type):
        return issubclass(annotation, ConfigurableResource)
    return "resource_param" in getattr(annotation, "__metadata__", ())


def missing_resource_error(
    owner: str, key: str, fn: Callable[..., Any] | None, source: tuple[Any, Any] = (None, None)
) -> DefinitionError:
    """Dagster's load error for a resource key nobody provides, naming the asset or op and the key."""
    problem = f"requires resource {key!r}, which is not provided"
    fix = f"add {key!r} to Definitions(resources=...) (or the job's resource_defs)"
    if fn is not None:
        return DefinitionError.at(fn, problem, obj=owner, fix=fix)
    file, line = source
    return DefinitionError(problem, file=file, line=line, obj=owner, fix=fix)


def with_resources(
    definitions: Iterable[Any],
    resource_defs: Mapping[str, Any],
    resource_config_by_key: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Copies of asset definitions that bring `resource_defs` (configured by
    `resource_config_by_key`, `{key: {"config": ...}}`) into the Definitions holding them."""
    from dataclasses import replace

    from dagdeck.core.defs.assets import AssetsDefinition

    given = dict(resource_defs)
    for key, entry in (resource_config_by_key or {}).items():
        if key in given and isinstance(given[key], ResourceDefinition):
            given[key] = given[key].configured((entry or {}).get("config"))
    out: list[Any] = []
    for d in definitions:
        if isinstance(d, AssetsDefinition):
            out.append(replace(d, resource_defs={**given, **d.resource_defs}))
        else:
            out.append(d)
    return out
