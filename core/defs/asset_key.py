"""Asset keys: a path of names, written `a/b/c`; and the name rules every definition follows.

The rules are Dagster's (checked against dagster 1.13): op, output, job and other names match
`^[A-Za-z0-9_]+$`; an asset key part may also hold `-` and `.` (Dagster reads them as `_` when it
derives the asset's op name); a check name may hold `.`. dagdeck is stricter in two places, both
because its keys become paths under `storage/`: a key part may not be `.` or `..`, and since keys
are written `a/b` everywhere (store, CLI, console), `AssetKey` refuses `/` and NUL inside a part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class AssetKey:
    path: tuple[str, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = tuple(p for p in path.split("/") if p) if isinstance(path, str) else tuple(path)
        if not parts:
            raise ValueError(f"invalid asset key {path!r}")
        for part in parts:
            if not isinstance(part, str) or not part:
                raise ValueError(f"invalid asset key {path!r}")
            if "/" in part or "\x00" in part:
                raise ValueError(
                    f"asset key part {part!r} holds {'/' if '/' in part else 'a NUL'}; "
                    "give the parts as a list, e.g. AssetKey(['a', 'b']) for a/b"
                )
        object.__setattr__(self, "path", parts)
        object.__setattr__(self, "_hash", hash(parts))

    def __hash__(self) -> int:
        # keys are hashed in every planning and graph walk: hash the parts once
        return self._hash

    # ordered by parts; written out (not dataclass order=True, which builds a tuple per compare)
    # because every graph load sorts all its keys
    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path if isinstance(other, AssetKey) else NotImplemented

    def __le__(self, other: AssetKey) -> bool:
        return self.path <= other.path if isinstance(other, AssetKey) else NotImplemented

    def __gt__(self, other: AssetKey) -> bool:
        return self.path > other.path if isinstance(other, AssetKey) else NotImplemented

    def __ge__(self, other: AssetKey) -> bool:
        return self.path >= other.path if isinstance(other, AssetKey) else NotImplemented

    def __reduce__(self) -> tuple[type[AssetKey], tuple[tuple[str, ...]]]:
        # a string's hash differs between processes: pickle the parts, never the cached hash
        return (AssetKey, (self.path,))

    def to_user_string(self) -> str:
        return "/".join(self.path)

    def __str__(self) -> str:
        return self.to_user_string()

    def __repr__(self) -> str:
        return f"AssetKey({self.to_user_string()!r})"

    @property
    def name(self) -> str:
        return self.path[-1]

    def with_prefix(self, prefix: str | Sequence[str] | None) -> AssetKey:
        if not prefix:
            return self
        pre = [prefix] if isinstance(prefix, str) else list(prefix)
        return AssetKey([*pre, *self.path])

    @staticmethod
    def from_coercible(value: Any) -> AssetKey:
        """Accept a key, a `a/b` string, a list of parts, or an asset definition."""
        if isinstance(value, AssetKey):
            return value
        key = getattr(value, "key", None)
        if isinstance(key, AssetKey):
            return key
        if isinstance(value, str | list | tuple):
            return AssetKey(value)
        raise TypeError(f"cannot use {value!r} as an asset key")


NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
"""Dagster's VALID_NAME_REGEX: op, output, alias and graph node names."""
KEY_PART_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
"""An asset key part: Dagster maps `-` and `.` to `_` before checking the op name against NAME_RE."""
CHECK_NAME_RE = re.compile(r"^[A-Za-z0-9_.]+$")
"""Dagster builds a check's op name as `<asset>_<name>` and maps `.` (only) to `_` before checking."""

FIX = {
    NAME_RE: "use only letters, digits and _ (Dagster's rule ^[A-Za-z0-9_]+$)",
    KEY_PART_RE: "use letters, digits, _, - and . in each key part; for a nested key give the parts, key=['a', 'b']",
    CHECK_NAME_RE: "use only letters, digits, _ and .",
}
"""What to do about a name that breaks each rule, for the `fix:` of a load error."""


def name_problem(value: object, rule: re.Pattern[str] = NAME_RE) -> str | None:
    """Why `value` breaks `rule` (FIX[rule] says what to do), or None when it does not."""
    if not isinstance(value, str):
        return f"{value!r} is not a string"
    if rule is KEY_PART_RE and value in (".", ".."):
        return f"{value!r} is not a valid key part: it names a directory, not a value under storage/"
    if not rule.fullmatch(value):  # not match(): `$` would let a trailing newline through
        return f"{value!r} is not a valid name"
    return None
