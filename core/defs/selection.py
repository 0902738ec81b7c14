"""Asset selections: `AssetSelection` objects and the string syntax (`+a`, `a*`, `group:x`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagdeck.core.defs.asset_graph import AssetGraph
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.check_specs import AssetCheckKey
from dagdeck.core.errors import DefinitionError, did_you_mean


class AssetSelection:
    """Resolve against an asset graph to a set of keys."""

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        raise NotImplementedError

    def resolve_checks(self, graph: AssetGraph, checks_of: Mapping[AssetKey, Sequence[Any]]) -> set[Any]:
        """The asset checks (`AssetCheckKey`s) it selects: those of its assets, unless it names checks."""
        return {c for k in self.resolve(graph) for c in checks_of.get(k, ())}

    @staticmethod
    def checks(*checks: Any) -> AssetSelection:
        """These checks only (check definitions or `AssetCheckKey`s), not their assets."""
        return _Checks(tuple(k for c in checks for k in _check_keys_of(c)))

    @staticmethod
    def checks_for_assets(*assets: Any) -> AssetSelection:
        """The checks of these assets, not the assets."""
        return _ChecksFor(AssetSelection.assets(*assets))

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        return _ChecksFor(_All(False))

    @staticmethod
    def all(include_sources: bool = False) -> AssetSelection:
        return _All(include_sources)

    @staticmethod
    def assets(*assets: Any) -> AssetSelection:
        """Asset keys, key strings (`a/b` is a two-part key), key paths, or assets definitions
        (all their keys)."""
        return _Keys(tuple(k for a in assets for k in _keys_of(a)))

    keys = assets

    @staticmethod
    def groups(*names: str, include_sources: bool = False) -> AssetSelection:
        return _Groups(tuple(names))

    @staticmethod
    def key_prefixes(*prefixes: str | Sequence[str], include_sources: bool = False) -> AssetSelection:
        paths = tuple((p,) if isinstance(p, str) else tuple(p) for p in prefixes)
        return _Where(lambda n: any(n.key.path[: len(p)] == p for p in paths), f"key_prefixes{paths}")

    @staticmethod
    def key_substring(key_substring: str, include_sources: bool = False) -> AssetSelection:
        return _Where(lambda n: key_substring in n.key.to_user_string(), f"key_substring({key_substring!r})")

    @staticmethod
    def tag(key: str, value: str, include_sources: bool = False) -> AssetSelection:
        return _Where(lambda n: n.spec.tags.get(key) == value, f"tag:{key}={value}")

    @staticmethod
    def tag_string(string: str, include_sources: bool = False) -> AssetSelection:
        """`key=value`, or `key` for a tag with an empty value."""
        key, _, value = string.partition("=")
        return AssetSelection.tag(key, value)

    @staticmethod
    def owner(owner: str | None) -> AssetSelection:
        return _Where(lambda n: owner in n.spec.owners, f"owner:{owner}")

    @staticmethod
    def kind(kind: str | None, include_sources: bool = False) -> AssetSelection:
        return _Where(lambda n: kind in n.spec.kinds, f"kind:{kind}")

    @staticmethod
    def from_string(string: str, include_sources: bool = False) -> AssetSelection:
        return parse_selection(string)

    @staticmethod
    def from_coercible(selection: Any) -> AssetSelection:
        return coerce_selection(selection)

    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "up", depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        return _Walk(self, "down", depth, include_self)

    def roots(self) -> AssetSelection:
        """Selected assets none of whose upstream assets is selected."""
        return _Edge(self, "roots")

    sources = roots

    def sinks(self) -> AssetSelection:
        """Selected assets none of whose downstream assets is selected."""
        return _Edge(self, "sinks")

    def materializable(self) -> AssetSelection:
        return self - _Where(lambda n: n.is_external, "external")

    def upstream_source_assets(self) -> AssetSelection:
        """The external assets the selection reads from."""
        return _Walk(self, "up", 1, False) & _Where(lambda n: n.is_external, "external")

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """Adds the other keys of multi-assets that cannot run part of their keys."""
        return _Neighbors(self)

    def without_checks(self) -> AssetSelection:
        return _WithoutChecks(self)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "|")

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "&")

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return _Combine(self, other, "-")


@dataclass(frozen=True)
class _All(AssetSelection):
    include_sources: bool = False

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set(graph.assets) if self.include_sources else set(graph.materializable)

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
        """A group no asset is in selects nothing, as in Dagster (a job on it runs no steps)."""
        return {k for name in self.names for k in graph.groups.get(name, ())}

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

    def resolve_checks(self, graph: AssetGraph, checks_of: Mapping[AssetKey, Sequence[Any]]) -> set[Any]:
        a, b = self.left.resolve_checks(graph, checks_of), self.right.resolve_checks(graph, checks_of)
        return a | b if self.op == "|" else a & b if self.op == "&" else a - b

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True)
class _Where(AssetSelection):
    """Every asset whose graph node passes a test (its key, tags, owners, kinds...)."""

    test: Callable[[Any], bool]
    text: str

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return {k for k, node in graph.assets.items() if self.test(node)}

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Edge(AssetSelection):
    base: AssetSelection
    which: str

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        chosen = self.base.resolve(graph)
        edges = graph.upstream if self.which == "roots" else graph.downstream
        return {k for k in chosen if not (edges.get(k, frozenset()) & chosen)}

    def __str__(self) -> str:
        return f"{self.which}({self.base})"


@dataclass(frozen=True)
class _Neighbors(AssetSelection):
    base: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        chosen = self.base.resolve(graph)
        for key in list(chosen):
            a = graph.assets[key].definition
            if not getattr(a, "can_subset", True):
                chosen |= set(a.specs_by_key)
        return chosen

    def __str__(self) -> str:
        return f"required_multi_asset_neighbors({self.base})"


@dataclass(frozen=True)
class _Checks(AssetSelection):
    """Checks named one by one, without their assets."""

    keys: tuple[Any, ...]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def resolve_checks(self, graph: AssetGraph, checks_of: Mapping[AssetKey, Sequence[Any]]) -> set[Any]:
        return set(self.keys)

    def __str__(self) -> str:
        return "checks(" + ", ".join(k.to_user_string() for k in self.keys) + ")"


@dataclass(frozen=True)
class _ChecksFor(AssetSelection):
    """The checks of the assets a selection resolves to, without the assets."""

    base: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def resolve_checks(self, graph: AssetGraph, checks_of: Mapping[AssetKey, Sequence[Any]]) -> set[Any]:
        return self.base.resolve_checks(graph, checks_of)

    def __str__(self) -> str:
        return f"checks_for_assets({self.base})"


@dataclass(frozen=True)
class _WithoutChecks(AssetSelection):
    base: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return self.base.resolve(graph)

    def resolve_checks(self, graph: AssetGraph, checks_of: Mapping[AssetKey, Sequence[Any]]) -> set[Any]:
        return set()

    def __str__(self) -> str:
        return f"{self.base} (without checks)"


def _check_keys_of(item: Any) -> list[Any]:
    """The checks an entry of `AssetSelection.checks` names: a check definition (all the checks of
    a multi-asset check) or an `AssetCheckKey`."""
    if isinstance(item, AssetCheckKey):
        return [item]
    keys = getattr(item, "check_keys", None)
    if keys is not None:
        return list(keys)
    key = getattr(item, "key", None)
    if isinstance(key, AssetCheckKey):
        return [key]
    raise DefinitionError(
        f"AssetSelection.checks entry {item!r} is not an asset check", fix="pass @asset_check functions or AssetCheckKeys"
    )


def _keys_of(item: Any) -> list[AssetKey]:
    """The keys an entry of a selection names: an assets definition or spec stands for its keys."""
    keys = getattr(item, "keys", None)
    if keys is not None and not isinstance(item, Mapping) and not callable(keys):
        return list(keys)
    key = getattr(item, "key", None)
    if isinstance(key, AssetKey):
        return [key]
    return [AssetKey.from_coercible(item)]


_TOKEN = re.compile(r"^(?P<pre>\*|\++)?(?P<body>.+?)(?P<post>\*|\++)?$")


def parse_selection(text: str) -> AssetSelection:
    """`a`, `+a` (a and its direct parents; `++a` two levels), `*a` (all upstream), `a+`, `a*`,
    `group:x`, `key:a`, `tag:k=v`, `owner:x`, `kind:x`, `*` (everything); several terms separated
    by commas, spaces or `or` are a union."""
    terms = [t for t in re.split(r"[,\s]+", text.strip()) if t and t != "or"]
    for word in ("and", "not"):
        if word in terms:
            raise DefinitionError(
                f"selection {text!r}: dagdeck does not support {word!r} in selection strings yet",
                fix="combine AssetSelection objects with &, | and - instead",
            )
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
        raise DefinitionError(
            f"cannot read selection term {term!r}", fix="use a, +a, a+, *a, a*, group:x or *"
        )
    body, pre, post = m.group("body"), m.group("pre"), m.group("post")
    base = _parse_body(body)
    sel = base
    if pre:
        sel = base.upstream(None if pre == "*" else len(pre))
    if post:
        down = base.downstream(None if post == "*" else len(post))
        sel = sel | down if pre else down
    return sel


def _parse_body(body: str) -> AssetSelection:
    """`name`, `a/b`, or Dagster's `attribute:value` forms: key:, group:, tag:, owner:, kind:."""
    attr, sep, value = body.partition(":")
    if not sep:
        return AssetSelection.assets(body)
    value = value.strip('"')
    if attr == "key":
        return AssetSelection.assets(value)
    if attr == "group":
        return AssetSelection.groups(value)
    if attr == "tag":
        return AssetSelection.tag_string(value)
    if attr == "owner":
        return AssetSelection.owner(value)
    if attr == "kind":
        return AssetSelection.kind(value)
    raise DefinitionError(
        f"cannot read selection term {body!r}", fix="use key:, group:, tag:, owner: or kind: before the value"
    )


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
