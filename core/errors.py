"""Errors users see. Each carries where the mistake is and how to fix it, so the CLI and the
console can print one clear line instead of a traceback."""

from __future__ import annotations

import difflib
import dis
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import FrameType


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

    @classmethod
    def at(
        cls, fn: Callable | None, problem: str, *, obj: str | None = None, fix: str | None = None
    ) -> DefinitionError:
        """The error, located at the file and line where the user function `fn` is defined."""
        file, line = where_defined(fn)
        return cls(problem, file=file, line=line, obj=obj, fix=fix)

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


COMPATIBILITY_DOC = "docs/compatibility.md"


def unsupported_message(name: str) -> str:
    return f"dagdeck does not support {name!r} yet (Dagster has it; see {COMPATIBILITY_DOC})"


class UnsupportedNameError(AttributeError):
    """`dg.X` for a name Dagster has and dagdeck does not (yet): not a typo, a missing feature."""

    def __init__(self, name: str) -> None:
        super().__init__(unsupported_message(name))
        self.dagster_name = name


class UnsupportedImportError(ImportError):
    """`from dagdeck import X` for a name Dagster has and dagdeck does not (yet)."""

    def __init__(self, name: str) -> None:
        super().__init__(unsupported_message(name), name="dagdeck")
        self.dagster_name = name


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def unsupported_error(name: str, caller: FrameType | None) -> AttributeError | ImportError:
    """The error for a Dagster name dagdeck lacks. `from dagdeck import X` turns any AttributeError
    into a bare "cannot import name", so when the caller is executing that statement the error is
    an ImportError carrying the message itself; `dg.X` and `hasattr` get an AttributeError."""
    code = caller.f_code.co_code if caller is not None else b""
    if caller is not None and 0 <= caller.f_lasti < len(code) and code[caller.f_lasti] == _IMPORT_FROM:
        return UnsupportedImportError(name)
    return UnsupportedNameError(name)
