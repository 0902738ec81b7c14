"""Asset selections: `AssetSelection` objects and the string syntax (`+a`, `a*`, `group:x`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.asset_graph import AssetGraph
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.errors import DefinitionError, did_you_mean


class AssetSelection:
    """Resolve against an asset graph to a set of keys."""

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        raise NotImplementedError

    @staticmethod
    def all() -> AssetSelection:
        return _All()

    @staticmethod
    def assets(*assets: Any) -> AssetSelection:
        return _Keys(tuple(AssetKey.from_coercible(a) for a in assets))

    keys = assets

    @staticmethod
    def groups(*names: str) -> AssetSelection:
        return _Groups(tuple(names))

    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "up", depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "down", depth, include_self)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "|")

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "&")

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "-")


@dataclass(frozen=True)
class _All(AssetSelection):
    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set(graph.assets)

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True)
class _Keys(AssetSelection):
    wanted: tuple[AssetKey, ...]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        for key in self.wanted:
            if key not in graph.assets:
                raise DefinitionError(
                    f"selection names unknown asset {key.to_user_string()!r}",
                    fix=did_you_mean(key.to_user_string(), graph.by_string) or "run `dagdeck assets list`",
                )
        return set(self.wanted)

    def __str__(self) -> str:
        return ",".join(k.to_user_string() for k in self.wanted)


@dataclass(frozen=True)
class _Groups(AssetSelection):
    names: tuple[str, ...]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        for name in self.names:
            if name not in graph.groups:
                raise DefinitionError(
                    f"selection names unknown group {name!r}",
                    fix=did_you_mean(name, graph.groups) or f"groups are {', '.join(sorted(graph.groups))}",
                )
        return {k for name in self.names for k in graph.groups[name]}

    def __str__(self) -> str:
        return ",".join(f"group:{n}" for n in self.names)


@dataclass(frozen=True)
class _Walk(AssetSelection):
    base: AssetSelection
    direction: str
    depth: int | None
    include_self: bool

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        start = self.base.resolve(graph)
        walk = graph.upstream_closure if self.direction == "up" else graph.downstream_closure
        found = walk(start, self.depth)
        return found if self.include_self else found - start

    def __str__(self) -> str:
        mark = "*" if self.depth is None else "+" * self.depth
        text = f"{mark}{self.base}" if self.direction == "up" else f"{self.base}{mark}"
        return text if self.include_self else f"{text} (without {self.base})"


@dataclass(frozen=True)
class _Combine(AssetSelection):
    left: AssetSelection
    right: AssetSelection
    op: str

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        a, b = self.left.resolve(graph), self.right.resolve(graph)
        return a | b if self.op == "|" else a & b if self.op == "&" else a - b

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


_TOKEN = re.compile(r"^(?P<pre>\*|\++)?(?P<body>.+?)(?P<post>\*|\++)?$")


def parse_selection(text: str) -> AssetSelection:
    """`a`, `+a` (a and its direct parents; `++a` two levels), `*a` (all upstream), `a+`, `a*`,
    `group:x`, `*` (everything); several terms separated by commas or spaces are a union."""
    terms = [t for t in re.split(r"[,\s]+", text.strip()) if t]
    if not terms:
        raise DefinitionError("empty selection", fix="give an asset key, group:NAME or *")
    result: AssetSelection | None = None
    for term in terms:
        sel = _parse_term(term)
        result = sel if result is None else result | sel
    assert result is not None
    return result


def _parse_term(term: str) -> AssetSelection:
    if term == "*":
        return AssetSelection.all()
    m = _TOKEN.match(term)
    if not m or not m.group("body") or m.group("body") in ("*", "+"):
        raise DefinitionError(f"cannot read selection term {term!r}", fix="use a, +a, a+, *a, a*, group:x or *")
    body, pre, post = m.group("body"), m.group("pre"), m.group("post")
    base = AssetSelection.groups(body[6:]) if body.startswith("group:") else AssetSelection.assets(body)
    sel = base
    if pre:
        sel = base.upstream(None if pre == "*" else len(pre))
    if post:
        down = base.downstream(None if post == "*" else len(post))
        sel = sel | down if pre else down
    return sel


def coerce_selection(value: Any) -> AssetSelection:
    if isinstance(value, AssetSelection):
        return value
    if isinstance(value, str):
        return parse_selection(value)
    if isinstance(value, Iterable):
        items = list(value)
        if all(isinstance(v, str) for v in items) and any(re.search(r"[*+:]", v) for v in items):
            return parse_selection(",".join(items))
        return AssetSelection.assets(*items)
    return AssetSelection.assets(value)
