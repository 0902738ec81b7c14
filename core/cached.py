"""`cached_property` without a lock.

Python 3.11's `functools.cached_property` takes a lock on every first read of every instance,
which costs ~0.5 us: a tenth of planning a step when a thousand asset definitions each compute
their types once. Definitions are built and read on one thread at a time, so the lock buys
nothing here; the value is computed once and stored in the instance's `__dict__`, as
`functools.cached_property` does (and does without a lock from Python 3.12).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 - used as a decorator, named as functools names it
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached_property[T]:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.attrname] = value
        return value
