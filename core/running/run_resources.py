"""Resources of one run: initialized once when the run starts (in the process that runs it),
torn down in reverse order when it ends.

A plain object is used as it is; a `ResourceDefinition` is called with its config (run config
`{"resources": {key: {"config": ...}}}`), a generator one is resumed at teardown; a
`ConfigurableResource` gets its `EnvVar`s resolved, its nested resources initialized and the run
config applied, then `setup_for_execution`. Resolved values live in memory only.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from dagdeck.core.defs.config_types import NO_DEFAULT, ConfigValueError, Field
from dagdeck.core.defs.resources import (
    UNSET,
    ConfigFn,
    ConfigurableResource,
    ConfigurableResourceFactory,
    EnvVar,
    InitResourceContext,
    IntEnvVar,
    ResourceDefinition,
    is_resource_definition,
)
from dagdeck.core.errors import DagdeckError, RunConfigError

log = logging.getLogger("dagdeck.resources")


class ResourceInitError(DagdeckError):
    """A resource's own code raised while the run started it."""


@dataclass
class RunResources:
    values: dict[str, Any]
    teardowns: list[Callable[[], None]] = field(default_factory=list)

    def teardown(self) -> None:
        """Tear every initialized resource down, last first; one failing does not stop the others."""
        while self.teardowns:
            fn = self.teardowns.pop()
            try:
                fn()
            except Exception as err:  # a teardown error must not change the run's outcome
                log.warning("resource teardown failed: %s: %s", type(err).__name__, err)


def init_run_resources(
    resources: Mapping[str, Any], run_config: Mapping[str, Any] | None, run_id: str
) -> RunResources:
    """Every resource of the run, ready for steps; raises RunConfigError for bad resource config and
    ResourceInitError when a resource's code fails (those already set up are torn down)."""
    section = dict((run_config or {}).get("resources") or {})
    if not section and not any(is_resource_definition(v) for v in resources.values()):
        return RunResources(dict(resources))  # plain objects only: nothing to do per run
    unknown = [k for k in section if k not in resources]
    if unknown:
        raise RunConfigError(
            f'run config: received unexpected config entry "{unknown[0]}" at path root:resources; '
            f"defined resources: {', '.join(sorted(resources))}"
        )
    starter = _Starter(resources, section, run_id)
    try:
        for key in resources:
            starter.value(key, ())
    except BaseException:
        starter.out.teardown()
        raise
    return starter.out


class _Starter:
    def __init__(self, resources: Mapping[str, Any], section: dict[str, Any], run_id: str) -> None:
        self.resources = resources
        self.section = section
        self.run_id = run_id
        self.out = RunResources({})

    def value(self, key: str, chain: tuple[str, ...]) -> Any:
        if key in self.out.values:
            return self.out.values[key]
        if key in chain:
            raise ResourceInitError(
                f"resources depend on each other in a cycle: {' -> '.join([*chain, key])}"
            )
        if key not in self.resources:
            raise ResourceInitError(
                f"resource {chain[-1]!r} requires resource {key!r}, which is not defined; "
                f"add it to Definitions(resources=...)"
            )
        entry = self.section.get(key)
        if entry is not None and (not isinstance(entry, Mapping) or set(entry) - {"config"}):
            raise RunConfigError(f'run config for resource {key!r} must look like {{"config": ...}}')
        raw = (entry or {}).get("config", NO_DEFAULT)
        value = self.start(key, self.resources[key], raw, (*chain, key))
        self.out.values[key] = value
        return value

    def start(self, key: str, definition: Any, raw: Any, chain: tuple[str, ...]) -> Any:
        if isinstance(definition, ResourceDefinition):
            return self._start_function(key, definition, raw, chain)
        if isinstance(definition, ConfigurableResource):
            return self._start_configurable(key, definition, raw, chain)
        return definition

    def _start_function(self, key: str, rd: ResourceDefinition, raw: Any, chain: tuple[str, ...]) -> Any:
        path = f"root:resources:{key}:config"
        try:
            config = _default_config(rd, path, key) if raw is NO_DEFAULT else rd.resource_config(raw, path)
        except ConfigValueError as err:
            raise RunConfigError(f"run config for resource {key!r} is invalid: {err}") from None
        deps = {k: self.value(k, chain) for k in sorted(rd.required_resource_keys)}
        ctx = InitResourceContext(config, deps, self.run_id, log)
        result = _user_code(
            key, lambda: rd.resource_fn(ctx) if _takes_args(rd.resource_fn) else rd.resource_fn()
        )
        if inspect.isgenerator(result):
            gen = result
            value = _user_code(key, lambda: next(gen))
            self.out.teardowns.append(lambda: _finish_generator(key, gen))
            return value
        return result

    def _start_configurable(
        self, key: str, res: ConfigurableResource, raw: Any, chain: tuple[str, ...]
    ) -> Any:
        if raw is not NO_DEFAULT and not isinstance(raw, Mapping):
            raise RunConfigError(
                f"run config for resource {key!r} is invalid: config must be an object of its fields"
            )
        values: dict[str, Any] = {}
        secret: set[str] = set()
        for name in type(res).model_fields:
            if name not in res.__dict__:
                continue
            current = res.__dict__[name]
            if isinstance(current, EnvVar):
                values[name] = _env_value(key, name, current)
                secret.add(name)
            elif is_resource_definition(current):  # nested: started first, torn down after
                shared = next((k for k, v in self.resources.items() if v is current), None)
                if shared is not None:  # also a top-level resource: the same started object
                    values[name] = self.value(shared, chain)
                else:
                    values[name] = self.start(f"{key}.{name}", current, NO_DEFAULT, chain)
        if raw is not NO_DEFAULT:
            values.update(raw)
            secret -= set(raw)
        try:
            resolved = res.with_replaced_fields(values)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RunConfigError(
                f"config of resource {key!r} is invalid at {where or 'root'}: {first['msg']}"
            ) from None
        resolved._secret_fields = frozenset(secret)
        resolved._resource_context = ctx = InitResourceContext(None, {}, self.run_id, log)
        if isinstance(resolved, ConfigurableResourceFactory):
            return _user_code(key, lambda: resolved.create_resource(ctx))
        _user_code(key, lambda: resolved.setup_for_execution(ctx))
        self.out.teardowns.append(lambda: resolved.teardown_after_execution(ctx))
        return resolved


def _default_config(rd: ResourceDefinition, path: str, key: str) -> Any:
    """No run config entry: a `configured` value, or the schema's defaults; a required schema is a
    RunConfigError."""
    fixed = rd.configured_config
    fld: Field | None = rd.config_field
    if (fixed is not UNSET and not isinstance(fixed, ConfigFn)) or fld is None:
        return rd.resource_config(None, path)
    if fld.is_required and not fld.default_provided:
        raise RunConfigError(
            f'run config for resource {key!r} is invalid: missing required config entry "config" at path '
            f'root:resources:{key}; give it as {{"resources": {{"{key}": {{"config": ...}}}}}} '
            f"({fld.config_type.describe()})"
        )
    return rd.resource_config(NO_DEFAULT, path)


def _env_value(key: str, name: str, var: EnvVar) -> Any:
    value = os.environ.get(var.env_var_name)
    if value is None:
        raise RunConfigError(
            f"resource {key!r} field {name!r} reads environment variable {var.env_var_name!r}, which is not set"
        )
    if isinstance(var, IntEnvVar):
        try:
            return int(value)
        except ValueError:
            raise RunConfigError(
                f"resource {key!r} field {name!r}: environment variable {var.env_var_name!r} is not an integer"
            ) from None
    return value


def _takes_args(fn: Callable[..., Any]) -> bool:
    try:
        return len(inspect.signature(fn).parameters) > 0
    except (TypeError, ValueError):
        return True


def _user_code(key: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except DagdeckError:
        raise
    except Exception as err:
        raise ResourceInitError(
            f"resource {key!r} failed to initialize: {type(err).__name__}: {err}"
        ) from err


def _finish_generator(key: str, gen: Any) -> None:
    """Run the code after `yield`: the resource's teardown."""
    try:
        next(gen)
    except StopIteration:
        return
    gen.close()
    log.warning("resource %r yielded more than once; only the first value is used", key)


@contextlib.contextmanager
def build_resources(
    resources: Mapping[str, Any], instance: Any = None, resource_config: Mapping[str, Any] | None = None
) -> Iterator[SimpleNamespace]:
    """Dagster's `build_resources`: the resources initialized as a run would (`resource_config` is
    `{key: {"config": ...}}`), as attributes, torn down when the `with` block ends."""
    started = init_run_resources(resources, {"resources": dict(resource_config or {})}, run_id="")
    try:
        yield SimpleNamespace(**started.values)
    finally:
        started.teardown()
