"""Dagster types: what a step's inputs and outputs are checked against.

A `DagsterType` wraps a `type_check_fn(context, value) -> bool | TypeCheck`. Python annotations and
classes become Dagster types the way Dagster maps them (`int` -> `Int`, `list[str]` -> `[String]`,
`Optional[int]` -> `Int?`, `None` -> `Nothing`, any other class -> an isinstance check), with
Dagster's names and failure descriptions, so a failing check reads as it does under Dagster.

`resolve_type` is called once per definition; `ANY` comes back for everything unchecked, and
callers keep only the other types, so steps without types pay nothing at run time.
"""

from __future__ import annotations

import collections.abc
import enum
import inspect
import logging
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.results import MaterializeResult, Output


class DagsterTypeKind(enum.Enum):
    ANY = "ANY"
    SCALAR = "SCALAR"
    LIST = "LIST"
    NOTHING = "NOTHING"
    NULLABLE = "NULLABLE"
    REGULAR = "REGULAR"


@dataclass
class TypeCheck:
    """The outcome of a type check, with a description and metadata shown when it fails."""

    success: bool
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


class DagsterTypeCheckDidNotPass(Exception):
    """A step input or output did not pass its Dagster type's check (Dagster's name and wording)."""

    def __init__(
        self,
        message: str,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        dagster_type: DagsterType | None = None,
    ) -> None:
        super().__init__(message)
        self.description = description
        self.metadata = dict(metadata or {})
        self.dagster_type = dagster_type


@dataclass
class TypeCheckContext:
    """The first argument of a `type_check_fn`: a logger, the run id and the resources."""

    log: Any = None
    run_id: str | None = None
    resources: Any = None


class DagsterType:
    """A named check on values: `DagsterType(type_check_fn=lambda context, value: ..., name="Even")`."""

    def __init__(
        self,
        type_check_fn: Callable[[Any, Any], TypeCheck | bool],
        key: str | None = None,
        name: str | None = None,
        is_builtin: bool = False,
        description: str | None = None,
        loader: Any = None,
        required_resource_keys: set[str] | None = None,
        kind: DagsterTypeKind = DagsterTypeKind.REGULAR,
        typing_type: Any = typing.Any,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        if not callable(type_check_fn):
            raise TypeError(
                "DagsterType(type_check_fn=...) must be a function (context, value) -> bool | TypeCheck"
            )
        self.type_check_fn = type_check_fn
        self.key = key or name or getattr(type_check_fn, "__name__", "DagsterType")
        self._name = name
        self.is_builtin = is_builtin
        self.description = description
        self.loader = loader
        self.required_resource_keys = set(required_resource_keys or ())
        self.kind = kind
        self.typing_type = typing_type
        self.metadata = dict(metadata or {})

    @property
    def display_name(self) -> str:
        return self._name or self.key

    @property
    def unique_name(self) -> str:
        return self.display_name

    @property
    def is_nothing(self) -> bool:
        return self.kind == DagsterTypeKind.NOTHING

    @property
    def is_any(self) -> bool:
        return self.kind == DagsterTypeKind.ANY

    def type_check(self, context: Any, value: Any) -> TypeCheck:
        result = self.type_check_fn(context, value)
        if isinstance(result, TypeCheck):
            return result
        if isinstance(result, bool):
            return TypeCheck(success=result)
        raise TypeError(
            f"type_check_fn of Dagster type {self.display_name!r} returned {type(result).__name__}; "
            "return a bool or a dg.TypeCheck(success=...)"
        )

    def __repr__(self) -> str:
        return f"<DagsterType {self.display_name}>"


def _must_be(python: type, word: str) -> Callable[[Any, Any], TypeCheck]:
    def check(_context: Any, value: Any) -> TypeCheck:
        if isinstance(value, python):
            return TypeCheck(True)
        return TypeCheck(False, f'Value "{value}" of python type "{type(value).__name__}" must be a {word}.')

    return check


def _check_nothing(_context: Any, value: Any) -> TypeCheck:
    if value is None:
        return TypeCheck(True)
    return TypeCheck(False, f"Value must be None or unset, got a {type(value)}")


def _builtin(
    name: str, fn: Callable[[Any, Any], TypeCheck | bool], kind: DagsterTypeKind, typing_type: Any
) -> DagsterType:
    return DagsterType(fn, name=name, is_builtin=True, kind=kind, typing_type=typing_type)


ANY = _builtin("Any", lambda _c, _v: TypeCheck(True), DagsterTypeKind.ANY, typing.Any)
INT = _builtin("Int", _must_be(int, "int"), DagsterTypeKind.SCALAR, int)
FLOAT = _builtin("Float", _must_be(float, "float"), DagsterTypeKind.SCALAR, float)
STRING = _builtin("String", _must_be(str, "string"), DagsterTypeKind.SCALAR, str)
BOOL = _builtin("Bool", _must_be(bool, "bool"), DagsterTypeKind.SCALAR, bool)
Nothing = _builtin("Nothing", _check_nothing, DagsterTypeKind.NOTHING, type(None))
"""An ordering-only dependency: `ins={"start": In(Nothing)}`; an output of this type stores nothing."""

_SCALARS: dict[Any, DagsterType] = {
    int: INT,
    float: FLOAT,
    str: STRING,
    bool: BOOL,
    type(None): Nothing,
    None: Nothing,
}
_BARE_NAMES = {dict: "dict", tuple: "tuple", set: "set"}
"""Builtin classes Dagster names without their module in a failed check's description."""

_by_python_type: dict[type, DagsterType] = {}
"""Classes made usable as Dagster types (`usable_as_dagster_type`)."""


def _python_object_type(
    python: Any, name: str | None = None, description: str | None = None, inferred: bool = False
) -> DagsterType:
    """An isinstance check. Dagster names the expected class `module.Name` in the failure when the
    type was inferred from an annotation, `Name` (`Union[A, B]`) when the user made the type."""
    classes = python if isinstance(python, tuple) else (python,)
    if inferred:
        shown = _BARE_NAMES.get(python) or f"{python.__module__}.{python.__name__}"
    elif len(classes) > 1:
        shown = "Union[" + ", ".join(c.__name__ for c in classes) + "]"
    else:
        shown = classes[0].__name__
    type_name = name or classes[0].__name__

    def check(_context: Any, value: Any) -> TypeCheck:
        if isinstance(value, python):
            return TypeCheck(True)
        return TypeCheck(
            False,
            f"Value of type {type(value)} failed type check for Dagster type {type_name}, "
            f"expected value to be of Python type {shown}.",
        )

    return DagsterType(check, name=type_name, description=description, typing_type=python)


class PythonObjectDagsterType(DagsterType):
    """A Dagster type that is an isinstance check on a class (or a tuple of classes)."""

    def __init__(
        self,
        python_type: type | tuple[type, ...],
        key: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        first = python_type[0] if isinstance(python_type, tuple) else python_type
        inner = _python_object_type(python_type, name or key or first.__name__)  # type: ignore[arg-type]
        super().__init__(
            inner.type_check_fn, key=key, name=name or first.__name__, typing_type=python_type, **kwargs
        )
        self.python_type = python_type


def _list_of(inner: DagsterType) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        if not isinstance(value, list):
            return TypeCheck(
                False, f'Value "{value}" of python type "{type(value).__name__}" must be a list.'
            )
        return _first_failure(context, ((inner, v) for v in value))

    return DagsterType(check, name=f"[{inner.display_name}]", kind=DagsterTypeKind.LIST, typing_type=list)


def _optional(inner: DagsterType) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        return TypeCheck(True) if value is None else inner.type_check(context, value)

    return DagsterType(
        check, name=f"{inner.display_name}?", kind=DagsterTypeKind.NULLABLE, typing_type=typing.Any
    )


def _dict_of(key: DagsterType, val: DagsterType) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        if not isinstance(value, dict):
            return TypeCheck(False, f"Value should be a dict, got a {type(value)}")
        return _first_failure(context, [p for k, v in value.items() for p in ((key, k), (val, v))])

    return DagsterType(check, name=f"Dict[{key.display_name},{val.display_name}]", typing_type=dict)


def _set_of(inner: DagsterType) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        if not isinstance(value, set):
            return TypeCheck(False, f"Value should be a set, got a{type(value)}")
        return _first_failure(context, ((inner, v) for v in value))

    return DagsterType(check, name=f"Set[{inner.display_name}]", typing_type=set)


def _tuple_of(inners: list[DagsterType]) -> DagsterType:
    names = ",".join(t.display_name for t in inners)

    def check(context: Any, value: Any) -> TypeCheck:
        if not isinstance(value, tuple):
            return TypeCheck(False, f"Value should be a tuple, got a {type(value)}")
        if len(value) != len(inners):
            key = "TypedPythonTuple" + ".".join(t.display_name for t in inners)
            return TypeCheck(
                False, f"Tuple with key {key} requires {len(inners)} entries, received {len(value)} values"
            )
        return _first_failure(context, zip(inners, value, strict=True))

    return DagsterType(check, name=f"Tuple[{names}]", typing_type=tuple)


def _first_failure(context: Any, pairs: Any) -> TypeCheck:
    for dagster_type, v in pairs:
        if dagster_type.is_any:
            continue
        result = dagster_type.type_check(context, v)
        if not result.success:
            return result
    return TypeCheck(True)


class _TypeFactory:
    """Dagster's `List[...]`, `Optional[...]`, `Dict[...]`, `Set[...]`, `Tuple[...]`: subscripted
    with Python or Dagster types, they give the same Dagster types as the typing forms."""

    def __init__(self, name: str, build: Callable[..., DagsterType], arity: int | None) -> None:
        self._name, self._build, self._arity = name, build, arity

    def __getitem__(self, args: Any) -> DagsterType:
        items = args if isinstance(args, tuple) else (args,)
        if self._arity is not None and len(items) != self._arity:
            raise TypeError(f"{self._name}[...] takes {self._arity} type(s), got {len(items)}")
        return self._build(*(resolve_type(a) for a in items))

    def bare(self) -> DagsterType:
        return self._build(*([ANY] * (self._arity or 0)))

    def __repr__(self) -> str:
        return f"dagdeck.{self._name}"


List = _TypeFactory("List", _list_of, 1)
Optional = _TypeFactory("Optional", _optional, 1)
Dict = _TypeFactory("Dict", _dict_of, 2)
Set = _TypeFactory("Set", _set_of, 1)
Tuple = _TypeFactory("Tuple", lambda *inners: _tuple_of(list(inners)), None)


def resolve_type(annotation: Any) -> DagsterType:
    """The Dagster type of an annotation, a class, a DagsterType or a config scalar (`dg.Int`).

    Forms Dagster cannot check (unions, callables, type variables, unresolved strings) are `Any`."""
    if isinstance(annotation, DagsterType):
        return annotation
    if isinstance(annotation, _TypeFactory):
        return annotation.bare()
    if annotation is typing.Any or annotation is object or annotation is inspect.Parameter.empty:
        return ANY
    if isinstance(annotation, str):
        return ANY
    try:
        if annotation in _SCALARS:
            return _SCALARS[annotation]
    except TypeError:  # unhashable annotation objects
        return ANY
    python_type = getattr(annotation, "python_type", None)
    if python_type is not None and not isinstance(annotation, type):
        return resolve_type(python_type)  # a config scalar (dg.Int, dg.String, ...) used as a Dagster type
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is not None:
        return _resolve_generic(origin, args)
    if isinstance(annotation, type):
        if annotation in _by_python_type:
            return _by_python_type[annotation]
        if annotation is list:
            return _list_of(ANY)
        return _python_object_type(annotation, inferred=True)
    return ANY


def _resolve_generic(origin: Any, args: tuple[Any, ...]) -> DagsterType:
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return _optional(resolve_type(rest[0]))
        return ANY
    if origin is list:
        if args and getattr(typing.get_origin(args[0]), "is_dynamic_output", False):
            return resolve_type(args[0])  # `-> list[DynamicOutput[T]]`: each element is checked as T
        return _list_of(resolve_type(args[0]) if args else ANY)
    if origin is dict:
        return (
            _dict_of(resolve_type(args[0]), resolve_type(args[1])) if len(args) == 2 else resolve_type(dict)
        )
    if origin is set:
        return _set_of(resolve_type(args[0])) if args else resolve_type(set)
    if origin is tuple:
        if not args or Ellipsis in args:
            return resolve_type(tuple)
        return _tuple_of([resolve_type(a) for a in args])
    if origin in (collections.abc.Iterator, collections.abc.Generator, collections.abc.Iterable):
        return ANY
    inner = _result_inner(origin, args)
    if inner is not None:
        return resolve_type(inner)
    return ANY


def _result_inner(origin: Any, args: tuple[Any, ...]) -> Any:
    """`Output[T]`, `MaterializeResult[T]` and `DynamicOutput[T]` are checked as T."""
    if (origin in (Output, MaterializeResult) or getattr(origin, "is_dynamic_output", False)) and args:
        return args[0]
    return None


def output_annotation_type(annotation: Any) -> DagsterType:
    """The Dagster type of a return annotation: `Output[T]`/`MaterializeResult[T]` as T, the bare
    result classes and iterators as Any; a missing annotation is Any."""
    if annotation in (Output, MaterializeResult):
        return ANY
    return resolve_type(annotation)


def check_value(dagster_type: DagsterType, value: Any, context: Any = None) -> TypeCheck:
    """Run one check; `context` defaults to one with a plain logger (outside a run)."""
    if dagster_type.is_any:
        return TypeCheck(True)
    return dagster_type.type_check(context if context is not None else _plain_context(), value)


def _plain_context() -> TypeCheckContext:
    return TypeCheckContext(log=logging.getLogger("dagster.builtin"))


def check_dagster_type(dagster_type: Any, value: Any) -> TypeCheck:
    """Test a value against a Dagster type or Python type outside a run, as Dagster's does."""
    return check_value(resolve_type(dagster_type), value)


def type_failure(where: str, dagster_type: DagsterType, check: TypeCheck) -> DagsterTypeCheckDidNotPass:
    """Dagster's error for a failed check; `where` is `step output "result"`, `op "a" input "x"`..."""
    return DagsterTypeCheckDidNotPass(
        f'Type check failed for {where} - expected type "{dagster_type.display_name}". '
        f"Description: {check.description}",
        description=check.description,
        metadata=check.metadata,
        dagster_type=dagster_type,
    )


def make_python_type_usable_as_dagster_type(python_type: type, dagster_type: DagsterType) -> None:
    """Annotations of `python_type` are checked with `dagster_type` from now on."""
    if not isinstance(dagster_type, DagsterType):
        raise TypeError(
            "make_python_type_usable_as_dagster_type(python_type, dagster_type) needs a dg.DagsterType"
        )
    _by_python_type[python_type] = dagster_type


def usable_as_dagster_type(name: Any = None, description: str | None = None, loader: Any = None) -> Any:
    """Class decorator: annotations of the class are checked with isinstance under the given name."""

    def register(cls: type, type_name: str | None = None) -> type:
        dagster_type = _python_object_type(cls, type_name or cls.__name__, description)
        dagster_type.loader = loader
        _by_python_type[cls] = dagster_type
        return cls

    if isinstance(name, type):
        return register(name)
    return lambda cls: register(cls, name)
