"""Errors users see. Each carries where the mistake is and how to fix it, so the CLI and the
console can print one clear line instead of a traceback."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass


class DagdeckError(Exception):
    """Base class for errors with a user-facing message."""


@dataclass
class DefinitionError(DagdeckError):
    """A mistake in a definitions file, raised at load time."""

    problem: str
    file: str | None = None
    line: int | None = None
    obj: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "<definitions>"

    @property
    def message(self) -> str:
        parts = [f"{self.location}: "]
        if self.obj:
            parts.append(f"{self.obj}: ")
        parts.append(self.problem)
        if self.fix:
            parts.append(f" (fix: {self.fix})")
        return "".join(parts)

    def __str__(self) -> str:
        return self.message


class RunConfigError(DagdeckError):
    """Run config that does not validate against a step's Config class."""


def where_defined(fn: Callable | None) -> tuple[str | None, int | None]:
    """File and line of a user function, for error messages."""
    if fn is None:
        return None, None
    fn = inspect.unwrap(fn)
    try:
        return inspect.getsourcefile(fn), fn.__code__.co_firstlineno
    except (TypeError, AttributeError):
        return None, None


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.5)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    matches = closest(name, candidates)
    if not matches:
        return ""
    return "did you mean " + " or ".join(repr(m) for m in matches) + "?"
