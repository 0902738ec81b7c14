"""IO managers defined the ways Dagster's docs write them: `@io_manager` factories
(`IOManagerDefinition`), `ConfigurableIOManager` classes with typed fields,
`ConfigurableIOManagerFactory`, and the input-only `@input_manager` / `InputManager`.

All are resources (core/defs/resources.py): the run initializes them like any other and a step's
outputs and inputs go to the initialized object's `handle_output` / `load_input`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from dagdeck.core.defs.config_types import Field, StringSource
from dagdeck.core.defs.io_managers import FilesystemIOManager, IOManager
from dagdeck.core.defs.resources import (
    ConfigurableResource,
    ConfigurableResourceFactory,
    InitResourceContext,
    ResourceDefinition,
)


class IOManagerDefinition(ResourceDefinition):
    """A resource whose value is an IO manager (made by an `@io_manager` function)."""

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
        input_config_schema: Any = None,
        output_config_schema: Any = None,
    ) -> None:
        super().__init__(resource_fn, config_schema, description, required_resource_keys, version)
        self.input_config_schema = input_config_schema
        self.output_config_schema = output_config_schema

    def configured(
        self, config_or_config_fn: Any, config_schema: Any = None, description: str | None = None
    ) -> IOManagerDefinition:
        base = super().configured(config_or_config_fn, config_schema, description)
        copy = IOManagerDefinition(
            base.resource_fn, None, base.description, base.required_resource_keys, base.version
        )
        copy.config_field = base.config_field
        copy.configured_config = base.configured_config
        return copy

    @staticmethod
    def hardcoded_io_manager(value: IOManager, description: str | None = None) -> IOManagerDefinition:
        return IOManagerDefinition(lambda _ctx: value, description=description)


def io_manager(
    config_schema: Any = None,
    description: str | None = None,
    output_config_schema: Any = None,
    input_config_schema: Any = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """`@io_manager` or `@io_manager(config_schema=...)` on a function taking `init_context` (or
    nothing) and returning the IO manager."""

    def build(fn: Callable[..., Any]) -> IOManagerDefinition:
        doc = inspect.cleandoc(fn.__doc__) if fn.__doc__ else None
        return IOManagerDefinition(
            fn,
            config_schema,
            description or doc,
            required_resource_keys,
            version,
            input_config_schema,
            output_config_schema,
        )

    if (
        callable(config_schema)
        and not isinstance(config_schema, type)
        and not hasattr(config_schema, "process")
    ):
        fn, config_schema = config_schema, None
        return build(fn)
    return build


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager written as a class with typed fields; the instance itself stores and loads."""


class ConfigurableIOManagerFactory(ConfigurableResourceFactory):
    """A class with typed fields whose `create_io_manager(context)` makes the IO manager of a run."""

    def create_io_manager(self, context: InitResourceContext) -> IOManager:
        raise NotImplementedError

    def create_resource(self, context: InitResourceContext) -> Any:
        return self.create_io_manager(context)


class ConfigurableLegacyIOManagerAdapter(ConfigurableIOManagerFactory):
    """Typed fields for an existing `@io_manager`: its function gets them as `resource_config`.
    Subclasses return that definition from the `wrapped_io_manager` property."""

    @property
    def wrapped_io_manager(self) -> IOManagerDefinition:
        raise NotImplementedError

    def create_io_manager(self, context: InitResourceContext) -> IOManager:
        config = {name: getattr(self, name) for name in type(self).model_fields}
        init = InitResourceContext(
            resource_config=config,
            resources=vars(context.resources),
            run_id=context.run_id,
            log=context.log,
            instance=context.instance,
        )
        return self.wrapped_io_manager(init)


class InputManager:
    """Loads an input without storing outputs (`AssetIn(input_manager_key=)`)."""

    def load_input(self, context: Any) -> Any:
        raise NotImplementedError


class ConfigurableInputManager(ConfigurableResource, InputManager):
    """An input manager written as a class with typed fields."""


class _FunctionInputManager(InputManager):
    """The input manager of an `@input_manager` function that loads the value itself."""

    def __init__(self, fn: Callable[..., Any], config: Any) -> None:
        self.fn = fn
        self.config = config

    def load_input(self, context: Any) -> Any:
        if context is not None and getattr(context, "resource_config", None) is None:
            context.resource_config = self.config
        return self.fn(context) if _arity(self.fn) else self.fn()


class InputManagerDefinition(ResourceDefinition):
    """A resource whose value is an input manager (made by an `@input_manager` function)."""

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        input_config_schema: Any = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
    ) -> None:
        super().__init__(resource_fn, config_schema, description, required_resource_keys, version)
        self.input_config_schema = input_config_schema


def input_manager(
    config_schema: Any = None,
    description: str | None = None,
    input_config_schema: Any = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """`@input_manager` on a function that either loads the value from an `InputContext` (it takes
    `context`) or returns an `InputManager` (it takes `init_context` typed so, or nothing)."""

    def build(fn: Callable[..., Any]) -> InputManagerDefinition:
        def make(init_context: InitResourceContext | None = None) -> InputManager:
            config = init_context.resource_config if init_context is not None else None
            return _FunctionInputManager(fn, config)

        doc = inspect.cleandoc(fn.__doc__) if fn.__doc__ else None
        return InputManagerDefinition(
            make, config_schema, description or doc, input_config_schema, required_resource_keys, version
        )

    if (
        callable(config_schema)
        and not isinstance(config_schema, type)
        and not hasattr(config_schema, "process")
    ):
        fn, config_schema = config_schema, None
        return build(fn)
    return build


def _arity(fn: Callable[..., Any]) -> int:
    try:
        return len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return 1


def _filesystem_io_manager(init_context: InitResourceContext) -> FilesystemIOManager:
    base_dir = (init_context.resource_config or {}).get("base_dir")
    return FilesystemIOManager(base_dir)  # no base_dir: the instance's storage/, as the default


fs_io_manager = IOManagerDefinition(
    _filesystem_io_manager,
    config_schema={"base_dir": Field(StringSource, is_required=False)},
    description="Pickles each output to a file under base_dir (default: the instance's storage/).",
)
"""Dagster's `fs_io_manager`: the built-in filesystem IO manager as a definition, `base_dir` from config."""
