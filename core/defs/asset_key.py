"""Asset keys: a path of names, written `a/b/c`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class AssetKey:
    path: tuple[str, ...]

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = tuple(p for p in path.split("/") if p) if isinstance(path, str) else tuple(path)
        if not parts or not all(isinstance(p, str) and p for p in parts):
            raise ValueError(f"invalid asset key {path!r}")
        object.__setattr__(self, "path", parts)

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
