"""Dynamic outputs: an op declares `DynamicOut()` and yields `DynamicOutput(value, mapping_key=...)`
any number of times; the graph body maps later ops over the elements (`.map(fn)`) and gathers them
back into a list (`.collect()`). Each mapped op runs as its own step, `op[mapping_key]`.

Only the definitions live here; tracing `.map`/`.collect` lives with the graph builder in `ops.py`,
and the run-time expansion in the scheduler (`running/executors/scheduler.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from dagdeck.core.defs.ops import Out

MAPPING_KEY_RE = re.compile(r"^[A-Za-z0-9_]+$")
"""Dagster's rule for mapping keys: they become part of step keys (`op[key]`) and storage paths."""

UNRESOLVED = "?"
"""The mapping key of a mapped step before its dynamic upstream ran: `op[?]`, as Dagster writes it."""


class InvalidMappingKey(ValueError):
    """A mapping key outside `[A-Za-z0-9_]`; raised inside the op that yields it, failing its step."""


@dataclass(frozen=True)
class DynamicOut(Out):
    """An output yielded any number of times, each value under its own mapping key."""

    is_dynamic: ClassVar[bool] = True


T = TypeVar("T")


@dataclass
class DynamicOutput(Generic[T]):
    """One element of a dynamic output (`DynamicOutput[str]` in annotations, as in Dagster)."""

    is_dynamic_output: ClassVar[bool] = True
    """Read by core/defs/types.py (which cannot import this module): `DynamicOutput[T]` checks as T."""

    value: T
    mapping_key: str
    output_name: str = "result"
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.mapping_key, str) or not MAPPING_KEY_RE.match(self.mapping_key):
            raise InvalidMappingKey(
                f'"{self.mapping_key}" is not a valid name in Dagster. Names must be in regex {MAPPING_KEY_RE.pattern}.'
            )


def mapped_key(base: str, mapping_key: str) -> str:
    """The step key of one mapped instance: `base[mapping_key]`."""
    return f"{base}[{mapping_key}]"


def split_mapped_key(step_key: str) -> tuple[str, str] | None:
    """`op[key]` -> ("op", "key"); None for a step key that is not a mapped instance."""
    if not step_key.endswith("]"):
        return None
    base, sep, key = step_key[:-1].rpartition("[")
    return (base, key) if sep and base else None


def element_output(output: str, mapping_key: str) -> str:
    """The name one element of a dynamic output is stored under: `result[key]`."""
    return f"{output}[{mapping_key}]"
