"""Dagster's older config type system (`config_schema=`): the types, `Field`, and how a schema
written with shorthands (`int`, `[str]`, `{"a": int}`) becomes one type tree.

Each type checks a raw value from run config and turns it into what `context.op_config` holds:
defaults filled in, enum names turned into their Python values, `{"env": VAR}` read from the
environment. A bad value raises `ConfigValueError` whose message names the path the way Dagster
does (`root:ops:my_op:config:n`). `Int`, `Float`, `String` and `Bool` are Python's own types, as in
Dagster; `StringSource`/`IntSource`/`BoolSource` carry `python_type` for type checkers.
"""

from __future__ import annotations

import enum
import os
import sys
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dagdeck.core.errors import DefinitionError

Int = int
Float = float
String = str
Bool = bool


class ConfigValueError(Exception):
    """A run config value that does not fit its schema; the message names the path."""


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


def _at(path: str) -> str:
    return "at the root" if path == "root" else f"at path {path}"


class ConfigType:
    """One node of a schema. `process` checks a raw value and returns what the step sees."""

    def process(self, value: Any, path: str) -> Any:
        raise NotImplementedError

    def default(self) -> Any:
        """The value an absent entry of this type gets, or NO_DEFAULT when it must be given."""
        return NO_DEFAULT

    def describe(self) -> str:
        return type(self).__name__


class ScalarType(ConfigType):
    def __init__(self, python_type: type, name: str) -> None:
        self.python_type, self.name = python_type, name

    def process(self, value: Any, path: str) -> Any:
        ok = isinstance(value, self.python_type) and not (
            self.python_type is not bool and isinstance(value, bool)
        )
        if self.python_type is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not ok:
            raise ConfigValueError(
                f'Invalid scalar {_at(path)}. Value "{value}" of type "{type(value)}" is not valid for '
                f'expected type "{self.name}"'
            )
        return value

    def describe(self) -> str:
        return self.name


_SCALARS = {
    int: ScalarType(int, "Int"),
    float: ScalarType(float, "Float"),
    str: ScalarType(str, "String"),
    bool: ScalarType(bool, "Bool"),
}


class AnyType(ConfigType):
    python_type = object

    def process(self, value: Any, path: str) -> Any:
        return value

    def describe(self) -> str:
        return "Any"


ANY = AnyType()


class SourceType(ConfigType):
    """`StringSource` / `IntSource` / `BoolSource`: a value, or `{"env": "VAR"}` read at run start."""

    def __init__(self, python_type: type, name: str) -> None:
        self.python_type, self.name = python_type, name
        self._scalar = _SCALARS[python_type]

    def process(self, value: Any, path: str) -> Any:
        if not isinstance(value, Mapping):
            return self._scalar.process(value, path)
        if set(value) != {"env"} or not isinstance(value["env"], str):
            raise ConfigValueError(
                f'Value {_at(path)} must be a {self._scalar.name} or {{"env": "VAR"}}, got {value!r}'
            )
        var = value["env"]
        raw = os.environ.get(var)
        if raw is None:
            raise ConfigValueError(
                f'Post processing {_at(path)} failed: you have attempted to fetch the environment variable "{var}" '
                "which is not set; set it in this environment"
            )
        if self.python_type is str:
            return raw
        if self.python_type is bool:
            return raw.lower() not in {"false", "none", "0", ""}
        try:
            return int(raw)
        except ValueError:
            raise ConfigValueError(
                f'Post processing {_at(path)} failed: value stored in env variable "{var}" cannot be coerced into an int'
            ) from None

    def describe(self) -> str:
        return f"{self.name}Source"


StringSource = SourceType(str, "String")
IntSource = SourceType(int, "Int")
BoolSource = SourceType(bool, "Bool")


class Array(ConfigType):
    def __init__(self, inner_type: Any) -> None:
        self.inner_type = resolve(inner_type)

    def process(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ConfigValueError(f'Value {_at(path)} must be list. Expected: "{self.describe()}"')
        return [self.inner_type.process(v, f"{path}[{i}]") for i, v in enumerate(value)]

    def describe(self) -> str:
        return f"[{self.inner_type.describe()}]"


class Noneable(ConfigType):
    def __init__(self, inner_type: Any) -> None:
        self.inner_type = resolve(inner_type)

    def process(self, value: Any, path: str) -> Any:
        return None if value is None else self.inner_type.process(value, path)

    def default(self) -> Any:
        return None

    def describe(self) -> str:
        return f"{self.inner_type.describe()}?"


class EnumValue:
    """One choice of an `Enum`: the string written in config and the value the step gets."""

    def __init__(self, config_value: str, python_value: Any = None, description: str | None = None) -> None:
        self.config_value = config_value
        self.python_value = config_value if python_value is None else python_value
        self.description = description


class Enum(ConfigType):
    def __init__(self, name: str, enum_values: Sequence[EnumValue]) -> None:
        self.name = name
        self.enum_values = list(enum_values)
        self._by_config = {v.config_value: v.python_value for v in self.enum_values}

    @classmethod
    def from_python_enum(cls, enum_type: type[enum.Enum]) -> Enum:
        return cls(enum_type.__name__, [EnumValue(m.name, m) for m in enum_type])

    @classmethod
    def from_python_enum_direct_values(cls, enum_type: type[enum.Enum]) -> Enum:
        return cls(enum_type.__name__, [EnumValue(m.name, m.value) for m in enum_type])

    def process(self, value: Any, path: str) -> Any:
        if not isinstance(value, str) or value not in self._by_config:
            raise ConfigValueError(
                f"Value {_at(path)} not in enum type {self.name} got {value}; "
                f"choices: {', '.join(self._by_config)}"
            )
        return self._by_config[value]

    def describe(self) -> str:
        return self.name


class Field:
    """A config entry: its type, an optional default, whether run config must give it."""

    def __init__(
        self,
        config: Any,
        default_value: Any = NO_DEFAULT,
        is_required: bool | None = None,
        description: str | None = None,
    ) -> None:
        self.config_type = resolve(config)
        self.description = description
        if default_value is NO_DEFAULT and is_required is None:
            default_value = self.config_type.default()
        self.default_value = default_value
        self.is_required = default_value is NO_DEFAULT if is_required is None else is_required

    @property
    def default_provided(self) -> bool:
        return self.default_value is not NO_DEFAULT

    def process(self, value: Any, path: str) -> Any:
        """The value of a present entry, or of an absent one (`value` NO_DEFAULT)."""
        if value is NO_DEFAULT:
            value = self.default_value
        return self.config_type.process(value, path)


class Shape(ConfigType):
    """A dict with known keys; unknown keys are an error (`Permissive` lets them through)."""

    permissive = False

    def __init__(
        self,
        fields: Mapping[str, Any],
        description: str | None = None,
        field_aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.fields = {k: v if isinstance(v, Field) else Field(v) for k, v in fields.items()}
        self.description = description

    def default(self) -> Any:
        return {} if not any(f.is_required for f in self.fields.values()) else NO_DEFAULT

    def process(self, value: Any, path: str) -> Any:
        if value is None:
            raise ConfigValueError(f'Value {_at(path)} must not be None. Expected "{self.describe()}"')
        if not isinstance(value, Mapping):
            raise ConfigValueError(f'Value {_at(path)} must be dict. Expected: "{self.describe()}"')
        unknown = [k for k in value if k not in self.fields]
        if unknown and not self.permissive:
            raise ConfigValueError(
                f'Received unexpected config entry "{unknown[0]}" {_at(path)}. Expected: "{self.describe()}"'
            )
        out: dict[str, Any] = {k: value[k] for k in unknown}
        for name, f in self.fields.items():
            if name in value:
                out[name] = f.process(value[name], f"{path}:{name}")
            elif f.default_provided:
                out[name] = f.process(NO_DEFAULT, f"{path}:{name}")
            elif f.is_required:
                raise ConfigValueError(
                    f'Missing required config entry "{name}" {_at(path)}; you must provide this value in your run config'
                )
        return out

    def describe(self) -> str:
        inner = " ".join(
            f"{k}{'' if f.is_required else '?'}: {f.config_type.describe()}"
            for k, f in sorted(self.fields.items())
        )
        return f"{{ {inner} }}" if inner else "{}"


class Permissive(Shape):
    permissive = True

    def __init__(self, fields: Mapping[str, Any] | None = None, description: str | None = None) -> None:
        super().__init__(fields or {}, description)


class Selector(ConfigType):
    """Exactly one of several named choices: `{"choice": value}`."""

    def __init__(self, fields: Mapping[str, Any], description: str | None = None) -> None:
        self.fields = {k: v if isinstance(v, Field) else Field(v) for k, v in fields.items()}
        self.description = description

    def default(self) -> Any:
        only_optional = len(self.fields) == 1 and not any(f.is_required for f in self.fields.values())
        return {} if only_optional else NO_DEFAULT

    def process(self, value: Any, path: str) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise ConfigValueError(f'Value {_at(path)} must be dict. Expected: "{self.describe()}"')
        if len(value) > 1:
            raise ConfigValueError(
                f"You can only specify a single field {_at(path)}. You specified {sorted(value)}. "
                f"The available fields are {sorted(self.fields)}"
            )
        if not value:
            if len(self.fields) != 1:
                raise ConfigValueError(
                    f"Must specify a field {_at(path)} if more than one field is defined. "
                    f"Defined fields: {sorted(self.fields)}"
                )
            ((name, f),) = self.fields.items()
            return {name: f.process(NO_DEFAULT, f"{path}:{name}")}
        ((name, raw),) = value.items()
        if name not in self.fields:
            raise ConfigValueError(
                f'Received unexpected config entry "{name}" {_at(path)}. Expected one of {list(self.fields)}'
            )
        return {name: self.fields[name].process(raw, f"{path}:{name}")}

    def describe(self) -> str:
        return "{ " + " | ".join(f"{k}: {f.config_type.describe()}" for k, f in self.fields.items()) + " }"


class Map(ConfigType):
    """A dict with any keys of `key_type` and values of `inner_type`."""

    def __init__(self, key_type: Any, inner_type: Any, key_label_name: str | None = None) -> None:
        self.key_type = resolve(key_type)
        self.inner_type = resolve(inner_type)
        self.key_label_name = key_label_name

    def process(self, value: Any, path: str) -> Any:
        if not isinstance(value, Mapping):
            raise ConfigValueError(f'Value {_at(path)} must be dict. Expected: "{self.describe()}"')
        return {
            self.key_type.process(k, f"{path}:{k!r}:key"): self.inner_type.process(v, f"{path}:{k!r}:value")
            for k, v in value.items()
        }

    def describe(self) -> str:
        return f"{{ [{self.key_type.describe()}]: {self.inner_type.describe()} }}"


class ConfigSchemaError(DefinitionError):
    """A schema Dagster refuses at definition time, pointing at the user's line that wrote it."""

    def __init__(self, problem: str) -> None:
        file, line = _user_site()
        super().__init__(
            problem, file=file, line=line, fix="see Dagster's config types: int, [int], {'a': int}, Field"
        )


_ENGINE_DIR = str(Path(__file__).resolve().parent.parent)


def _user_site() -> tuple[str | None, int | None]:
    """File and line of the innermost caller outside the engine: where the schema was written."""
    frame = sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_ENGINE_DIR):
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else (None, None)


def resolve(schema: Any) -> ConfigType:
    """The type tree of a schema written with Dagster's types or their shorthands."""
    if isinstance(schema, ConfigType):
        return schema
    if isinstance(schema, Field):
        return schema.config_type
    if schema is typing.Any or schema is object:
        return ANY
    if isinstance(schema, type) and schema in _SCALARS:
        return _SCALARS[schema]
    if schema is dict:  # any keys, as Dagster reads a bare `dict`
        return Permissive()
    if schema is list:
        return Array(ANY)
    if isinstance(schema, dict):
        return Shape(schema)
    if isinstance(schema, list):
        if len(schema) != 1:
            raise ConfigSchemaError(
                f"a list in a config schema names one element type, like [int]; got {schema!r}"
            )
        return Array(schema[0])
    if typing.get_origin(schema) is not None or type(schema).__module__ == "typing":
        raise ConfigSchemaError(
            f"{schema!r} comes from the typing module, which the config system does not accept "
            "(Dagster neither): write [int] or Array(int), {'a': int} or Shape(...)"
        )
    raise ConfigSchemaError(
        f"{schema!r} is not a config type: use int, str, float, bool, Any, [T], a dict, Field, ..."
    )


def schema_field(schema: Any) -> Field | None:
    """A step's `config_schema=` as one field (defaults and requiredness), None when not given."""
    if schema is None:
        return None
    return schema if isinstance(schema, Field) else Field(schema)
