"""`@dg.definitions`: a function returning Definitions, called by the loader (as Dagster's is)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from dagdeck.core.defs.definitions import Definitions
from dagdeck.core.errors import DefinitionError


class LazyDefinitions:
    """A function decorated with `@definitions`: calling it (the loader does) returns its
    Definitions, as Dagster's decorator does."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any) -> Definitions:
        takes_context = len(inspect.signature(self.fn).parameters) > 0
        result = self.fn(*(args or ((None,) if takes_context else ())))
        if not isinstance(result, Definitions):
            raise DefinitionError.at(
                self.fn,
                f"returned {type(result).__name__}, not Definitions",
                obj=f"@definitions {self.fn.__name__}",
                fix="return dg.Definitions(assets=[...], jobs=[...])",
            )
        return result

    def __repr__(self) -> str:
        return f"<@definitions {self.fn.__name__}>"


def definitions(fn: Callable[..., Any]) -> LazyDefinitions:
    """`@dg.definitions` on a function returning Definitions (taking no argument, or Dagster's
    component load context, which dagdeck passes as None)."""
    if not callable(fn):
        raise DefinitionError(f"@definitions decorates a function, got {fn!r}", fix="decorate a function")
    return LazyDefinitions(fn)
