"""The asset dependency graph: upstream/downstream maps and a stable topological order."""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from dagdeck.core.cached import cached_property
from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.asset_specs import AssetSpec
from dagdeck.core.defs.assets import DEFAULT_GROUP, AssetsDefinition

K = TypeVar("K", AssetKey, str)


@dataclass(frozen=True, eq=False, slots=True)
class AssetNode:
    """One asset key of the graph: its spec and the definition that materializes it (or declares it
    external). Views read an asset's attributes here, whatever made it."""

    key: AssetKey
    spec: AssetSpec
    definition: AssetsDefinition

    @property
    def is_external(self) -> bool:
        return self.definition.fn is None

    @property
    def step_key(self) -> str:
        return self.definition.step_key(self.key)

    @property
    def output_name(self) -> str:
        """The op output holding this asset's value (of the graph's op, for a graph-backed asset)."""
        name = self.definition.output_names_by_key.get(self.key, "result")
        graph = self.definition.graph
        return graph.outputs[name].output if graph is not None else name

    @property
    def group_name(self) -> str:
        return self.spec.group_name or DEFAULT_GROUP

    @property
    def description(self) -> str | None:
        return self.spec.description

    @property
    def metadata(self) -> Mapping[str, object]:
        return self.spec.metadata

    @property
    def tags(self) -> Mapping[str, str]:
        return self.spec.tags

    @property
    def kinds(self) -> frozenset[str]:
        return self.spec.kinds

    @property
    def owners(self) -> tuple[str, ...]:
        return self.spec.owners

    @property
    def code_version(self) -> str | None:
        return self.spec.code_version

    @property
    def io_manager_key(self) -> str:
        return self.definition.io_manager_keys_by_key.get(self.key, "io_manager")

    @property
    def transient(self) -> bool:
        return self.definition.transient

    @property
    def freshness_policy(self) -> object:
        return self.definition.freshness_policy or self.spec.freshness_policy

    @property
    def source(self) -> tuple[str | None, int | None]:
        return self.definition.source


@dataclass
class AssetGraph:
    assets: dict[AssetKey, AssetNode]
    upstream: dict[AssetKey, frozenset[AssetKey]]
    """Data and order-only dependencies of each asset."""
    data_inputs: dict[AssetKey, dict[str, AssetKey]] = field(default_factory=dict)
    """Parameter name -> upstream key, for the dependencies whose value is passed in."""
    order: list[AssetKey] | None = None
    """`stable_order(upstream)` when the loader already computed it (checking for cycles)."""

    @cached_property
    def downstream(self) -> dict[AssetKey, frozenset[AssetKey]]:
        down: dict[AssetKey, set[AssetKey]] = {k: set() for k in self.assets}
        for key, ups in self.upstream.items():
            for up in ups:
                down[up].add(key)
        return {k: frozenset(v) for k, v in down.items()}

    @cached_property
    def levels(self) -> dict[AssetKey, int]:
        """Longest distance from a root; assets on one level can run in parallel."""
        level: dict[AssetKey, int] = {}
        for key in self.toposorted:
            ups = self.upstream[key]
            level[key] = 1 + max((level[u] for u in ups), default=-1)
        return level

    @cached_property
    def toposorted(self) -> list[AssetKey]:
        """Level by level, alphabetical within a level, so the console and the CLI list a stable order."""
        return self.order if self.order is not None else stable_order(self.upstream)

    @property
    def keys(self) -> list[AssetKey]:
        return self.toposorted

    @cached_property
    def external(self) -> frozenset[AssetKey]:
        """Keys no run materializes (external assets, source assets, deps no asset defines)."""
        return frozenset(k for k, n in self.assets.items() if n.is_external)

    @cached_property
    def materializable_keys(self) -> frozenset[AssetKey]:
        return frozenset(self.assets) - self.external

    @cached_property
    def step_keys(self) -> dict[AssetKey, str]:
        """Each materializable key's step key, worked out once for every plan of these definitions."""
        return {k: n.step_key for k, n in self.assets.items() if not n.is_external}

    @cached_property
    def skippable(self) -> frozenset[AssetKey]:
        """Keys whose output is optional (`output_required=False`, `AssetOut(is_required=False)`)."""
        return frozenset(k for k, n in self.assets.items() if n.spec.skippable)

    @cached_property
    def unsubsettable(self) -> bool:
        """Whether some definition makes several keys and cannot run only some of them."""
        return any(len(n.definition.specs_by_key) > 1 and not n.definition.can_subset for n in self.assets.values())

    @cached_property
    def materializable(self) -> list[AssetKey]:
        return [k for k in self.toposorted if k not in self.external]

    @cached_property
    def groups(self) -> dict[str, list[AssetKey]]:
        out: dict[str, list[AssetKey]] = {}
        for key in self.toposorted:
            out.setdefault(self.assets[key].group_name, []).append(key)
        return out

    @cached_property
    def by_string(self) -> dict[str, AssetKey]:
        return {k.to_user_string(): k for k in self.assets}

    def subset_problem(self, keys: Iterable[AssetKey]) -> str | None:
        """Why `keys` cannot run as selected (part of a multi-asset that cannot subset), or None."""
        if not self.unsubsettable:
            return None
        wanted = set(keys)
        seen: set[int] = set()
        for key in wanted:
            node = self.assets.get(key)
            if node is None or node.is_external or id(node.definition) in seen:
                continue
            a = node.definition
            seen.add(id(a))
            left_out = [k for k in a.specs_by_key if k not in wanted]
            if left_out and not a.can_subset:
                have = ", ".join(sorted(k.to_user_string() for k in a.specs_by_key))
                return (
                    f"multi_asset {a.op_name!r} makes {have} together and does not support subsetting "
                    f"(can_subset=False), but {', '.join(k.to_user_string() for k in left_out)} "
                    "was left out of the selection"
                )
        return None

    def key_for_node(self, node: str, output: str = "result") -> AssetKey | None:
        """The asset an op output materializes, by Dagster's node name (`load_tables`, or
        `a__b` for asset a/b) and output name; None when no asset op has that name."""
        for key, n in self.assets.items():
            a = n.definition
            if not n.is_external and a.op_name == node and a.output_names_by_key.get(key, "result") == output:
                return key
        return None

    def required_neighbors(self, keys: Iterable[AssetKey]) -> set[AssetKey]:
        """`keys` plus the other keys of each multi-asset among them that cannot subset (they can
        only run together: Dagster's `required_multi_asset_neighbors`)."""
        out = set(keys)
        for key in list(out):
            node = self.assets.get(key)
            if node is not None and not node.is_external and not node.definition.can_subset:
                out.update(node.definition.specs_by_key)
        return out

    def upstream_closure(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        return _closure(keys, self.upstream, depth)

    def downstream_closure(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        return _closure(keys, self.downstream, depth)


def _closure(
    keys: Iterable[AssetKey], edges: Mapping[AssetKey, Iterable[AssetKey]], depth: int | None
) -> set[AssetKey]:
    seen = set(keys)
    frontier = list(seen)
    level = 0
    while frontier and (depth is None or level < depth):
        nxt = []
        for key in frontier:
            for other in edges.get(key, ()):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
        level += 1
    return seen


def stable_order(upstream: Mapping[K, Iterable[K]]) -> list[K]:
    """Topological order of an acyclic graph (node -> its upstream nodes): every node after its
    upstream ones, each ready set sorted, so the same graph always gives the same order."""
    sorter = graphlib.TopologicalSorter(upstream)
    sorter.prepare()
    order: list[K] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def order_or_cycle(upstream: Mapping[K, Iterable[K]]) -> tuple[list[K], None] | tuple[None, list[K]]:
    """`stable_order` of the graph, or the nodes of one cycle (first repeated at the end, in data
    flow order: `a -> b -> a`). One graphlib pass serves both the load-time check and the order."""
    try:
        return stable_order(upstream), None
    except graphlib.CycleError as err:
        # graphlib lists each node as an immediate predecessor of the next: data flow order already
        return None, list(err.args[1])
