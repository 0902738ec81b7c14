"""`@asset` and the model every asset shares: `AssetsDefinition`, one function that materializes one
or more asset keys (or, for external assets, none that dagdeck runs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from dagdeck.core.cached import cached_property
from dagdeck.core.defs.asset_key import FIX, KEY_PART_RE, AssetKey, name_problem
from dagdeck.core.defs.asset_specs import AssetDep, AssetSpec, coerce_dep, coerce_key
from dagdeck.core.defs.config_types import Field
from dagdeck.core.defs.graph_asset_specs import from_graph_specs
from dagdeck.core.defs.graphs import GraphBacking, GraphDefinition
from dagdeck.core.defs.hooks import HookDefinition
from dagdeck.core.defs.io_types import IOTypes, call_checked, function_io_types, untyped
from dagdeck.core.defs.params import FunctionParams, read_params
from dagdeck.core.defs.retries import RetryPolicy
from dagdeck.core.errors import DefinitionError, where_defined

DEFAULT_GROUP = "default"
DEFAULT_OUTPUT = "result"


@dataclass(frozen=True)
class AssetIn:
    """Name an upstream asset explicitly when the parameter name differs from its key."""

    key: Any = None
    metadata: Mapping[str, Any] | None = None
    key_prefix: str | Sequence[str] | None = None
    input_manager_key: str | None = None
    partition_mapping: Any = None
    dagster_type: Any = None

    def __post_init__(self) -> None:
        if self.key is not None and self.key_prefix is not None:
            raise DefinitionError(
                "AssetIn takes key= or key_prefix=, not both",
                obj="AssetIn",
                fix="put the prefix in the key: AssetIn(key=['prefix', 'name'])",
            )

    def upstream_key(self, param: str) -> AssetKey:
        return coerce_key(self.key if self.key is not None else [param], self.key_prefix)


@dataclass(eq=False)
class AssetsDefinition:
    """One op (a function, run as one step) and the asset keys it materializes, as in Dagster.

    - `specs_by_key`: each key with its attributes (group, description, metadata, deps...), in
      output order. A plain `@asset` has one key; a `multi_asset` several.
    - `output_names_by_key`: which op output carries each key's value (`result` for `@asset`).
    - `fn` is None for external assets (`AssetSpec` lists, `SourceAsset`, deps no asset defines):
      they appear in the graph and never run.
    - `ins`: parameter name -> `AssetIn`; parameters without one name their upstream key.
    - The step key of a single-key definition is the key (`a/b`); of a multi-key one, `op_name`.
    Graph-backed assets add the nodes that run instead of `fn`; plan_assets expands them.
    """

    specs_by_key: dict[AssetKey, AssetSpec]
    fn: Callable[..., Any] | None
    params: FunctionParams | None
    op_name: str
    output_names_by_key: dict[AssetKey, str] = field(default_factory=dict)
    io_manager_keys_by_key: dict[AssetKey, str] = field(default_factory=dict)
    ins: dict[str, AssetIn] = field(default_factory=dict)
    retry_policy: RetryPolicy | None = None
    op_tags: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[HookDefinition] = frozenset()
    """`@asset(hooks=...)`: success/failure hooks run after its step."""
    can_subset: bool = False
    transient: bool = False
    """Kept only while its run lasts: removed from storage once the run succeeds."""
    freshness_policy: Any = None
    multi: bool = False
    """Made by `multi_asset`: outputs by name (`Output(output_name=...)`, a tuple in `outs` order)."""
    dagster_types: dict[str, Any] = field(default_factory=dict)
    """Output name -> declared Dagster type (`@asset(dagster_type=)`, `AssetOut(dagster_type=)`);
    outputs without one are typed by the return annotation."""
    source_fn: Callable[..., Any] | None = None
    """Where it was defined, for load errors (`fn`, or the decorated function of an external spec)."""
    config_schema: Field | None = None
    """`config_schema=`: run config reaches `context.op_config` through it."""
    graph: GraphBacking | None = None
    """Graph-backed assets (core/defs/graph_assets.py): the ops that run instead of `fn`, one step each."""
    check_specs: tuple[Any, ...] = ()
    """`check_specs=[AssetCheckSpec(...)]`: checks its function evaluates itself (core/defs/check_specs.py)."""
    required_resource_keys: frozenset[str] = frozenset()
    """`required_resource_keys=`: resources its step reads as `context.resources.<key>`."""
    resource_defs: dict[str, Any] = field(default_factory=dict)
    """`resource_defs=` / `with_resources`: resources it brings into the Definitions that hold it."""
    backfill_policy: Any = None
    """`backfill_policy=BackfillPolicy...`: how a backfill groups its partitions into runs."""

    # -- Dagster's multi-key accessors ---------------------------------------------------------
    @property
    def keys(self) -> list[AssetKey]:
        return list(self.specs_by_key)

    @property
    def specs(self) -> list[AssetSpec]:
        return list(self.specs_by_key.values())

    @property
    def partitions_def(self) -> Any:
        """The partitions definition its assets share (None: unpartitioned)."""
        return next((s.partitions_def for s in self.specs_by_key.values() if s.partitions_def is not None), None)

    @property
    def is_executable(self) -> bool:
        return self.fn is not None

    @property
    def is_external(self) -> bool:
        return self.fn is None

    @property
    def key(self) -> AssetKey:
        if len(self.specs_by_key) != 1:
            raise DefinitionError(
                f"{self.op_name!r} holds {len(self.specs_by_key)} asset keys; .key needs exactly one",
                obj=f"asset {self.op_name}",
                fix="use .keys",
            )
        return next(iter(self.specs_by_key))

    @property
    def group_names_by_key(self) -> dict[AssetKey, str]:
        return {k: s.group_name or DEFAULT_GROUP for k, s in self.specs_by_key.items()}

    @property
    def descriptions_by_key(self) -> dict[AssetKey, str | None]:
        return {k: s.description for k, s in self.specs_by_key.items()}

    @property
    def metadata_by_key(self) -> dict[AssetKey, Mapping[str, Any]]:
        return {k: s.metadata for k, s in self.specs_by_key.items()}

    @property
    def dependency_keys(self) -> set[AssetKey]:
        return {d.asset_key for s in self.specs_by_key.values() for d in s.deps}

    def step_key(self, key: AssetKey | None = None) -> str:
        """`a/b` for one key, the op name for several (Dagster's step key); for a graph-backed
        asset, the step of the op whose output is `key`'s value (`graph.op`)."""
        if self.graph is not None and key is not None:
            return self.graph.outputs[self.output_names_by_key[key]].node
        if self.multi or len(self.specs_by_key) != 1:
            return self.op_name
        return next(iter(self.specs_by_key)).to_user_string()

    @classmethod
    def from_graph(
        cls,
        graph_def: GraphDefinition,
        *,
        keys_by_input_name: Mapping[str, AssetKey] | None = None,
        can_subset: bool = False,
        **kwargs: Any,
    ) -> AssetsDefinition:
        """Dagster's `AssetsDefinition.from_graph`: each graph output an asset (graph_asset_specs.py)."""
        specs = from_graph_specs(graph_def, **kwargs)
        for spec in specs.values():
            check_key_parts(graph_def.fn, spec.key.path, f"graph {graph_def.name}")
        ins = {n: AssetIn(key=k) for n, k in (keys_by_input_name or {}).items()}
        managers = dict.fromkeys(specs, "io_manager")
        return cls.graph_backed(graph_def, specs, managers, ins, multi=len(specs) > 1, can_subset=can_subset)

    @classmethod
    def graph_backed(
        cls,
        graph_def: GraphDefinition,
        specs: dict[str, AssetSpec],
        io_managers: dict[str, str],
        ins: Mapping[str, AssetIn] | None,
        *,
        multi: bool,
        can_subset: bool = False,
    ) -> AssetsDefinition:
        """Assets whose values are outputs of a graph (`specs`: graph output name -> asset spec);
        each op of the graph runs as its own step (core/running/plan_graph_assets.py)."""
        backing = GraphBacking.trace(graph_def, f"graph {graph_def.name}", list(specs))
        return cls(
            specs_by_key={s.key: s for s in specs.values()},
            fn=graph_def.fn,
            params=read_params(graph_def.fn),
            op_name=graph_def.name,
            output_names_by_key={s.key: o for o, s in specs.items()},
            io_manager_keys_by_key={s.key: io_managers[o] for o, s in specs.items()},
            ins=dict(ins or {}),
            can_subset=can_subset,
            multi=multi,
            graph=backing,
        )

    # -- the single key's attributes (a plain @asset) ------------------------------------------
    @property
    def _spec(self) -> AssetSpec:
        return self.specs_by_key[self.key]

    @property
    def name(self) -> str:
        return self.key.name if len(self.specs_by_key) == 1 else self.op_name

    @property
    def key_prefix(self) -> tuple[str, ...]:
        return self.key.path[:-1]

    @property
    def group_name(self) -> str:
        return self._spec.group_name or DEFAULT_GROUP

    @property
    def description(self) -> str | None:
        return self._spec.description

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self._spec.metadata

    @property
    def tags(self) -> Mapping[str, str]:
        return self._spec.tags

    @property
    def kinds(self) -> frozenset[str]:
        return self._spec.kinds

    @property
    def owners(self) -> tuple[str, ...]:
        return self._spec.owners

    @property
    def code_version(self) -> str | None:
        return self._spec.code_version

    @property
    def deps(self) -> tuple[Any, ...]:
        return self._spec.deps

    @property
    def io_manager_key(self) -> str:
        return self.io_manager_keys_by_key.get(self.key, "io_manager")

    @property
    def source(self) -> tuple[str | None, int | None]:
        f = self.fn or self.source_fn
        return where_defined(f) if f is not None else (None, None)

    def with_prefix_and_group(
        self,
        *,
        key_prefix: str | Sequence[str] | None = None,
        group_name: str | None = None,
        in_keys: set[AssetKey],
    ) -> AssetsDefinition:
        """Keys prefixed (with deps and ins on keys of the same load, `in_keys`), group set where
        none was given (`load_assets_from_modules` semantics)."""
        renamed = {k: k.with_prefix(key_prefix) for k in self.specs_by_key}
        specs = {}
        for k, s in self.specs_by_key.items():
            s = s.with_key_prefix(key_prefix, in_keys)
            if group_name is not None and s.group_name not in (None, group_name):
                file, line = self.source
                raise DefinitionError(
                    f"asset {k.to_user_string()} has group name {s.group_name!r}, which conflicts with the group "
                    f"name {group_name!r} given when loading it",
                    file=file,
                    line=line,
                    obj=f"asset {k.to_user_string()}",
                    fix="drop one of the two group names",
                )
            if group_name is not None:
                s = s.replace_attributes(group_name=group_name)
            specs[renamed[k]] = s
        ins = dict(self.ins)
        own_prefix = self.key_prefix if len(self.specs_by_key) == 1 else ()
        if key_prefix and self.params is not None:
            for p in self.params.others:
                spec = self.ins.get(p.name)
                candidates = (
                    [spec.upstream_key(p.name)]
                    if spec
                    else [AssetKey([*own_prefix, p.name]), AssetKey([p.name])]
                )
                up = next((c for c in candidates if c in in_keys), None)
                if up is not None:
                    ins[p.name] = replace(spec or AssetIn(), key=up.with_prefix(key_prefix), key_prefix=None)
        return replace(
            self,
            specs_by_key=specs,
            output_names_by_key={renamed[k]: v for k, v in self.output_names_by_key.items()},
            io_manager_keys_by_key={renamed[k]: v for k, v in self.io_manager_keys_by_key.items()},
            ins=ins,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Direct invocation runs the function, which makes assets easy to unit-test; typed inputs
        and outputs are checked as in a run (Dagster does the same)."""
        if self.fn is None:
            raise TypeError(f"{self!r} is external: it has no function to call")
        uses_context = self.params is not None and self.params.uses_context
        return call_checked(f'op "{self.op_name}"', self.fn, uses_context, self.io_types, args, kwargs)

    @cached_property
    def io_types(self) -> IOTypes:
        """Checked Dagster types: parameter annotations (or `AssetIn(dagster_type=)`) and the return
        annotation (`-> str`, `-> Output[int]`, `-> None` = Nothing, stored nowhere)."""
        if self.fn is None or self.params is None:
            return IOTypes()
        outs = tuple(dict.fromkeys(self.output_names_by_key.values())) or ("result",)
        plain = getattr(self.fn, "__dict__", None) is not None and "__wrapped__" not in self.fn.__dict__
        if plain and not (self.ins or self.dagster_types or getattr(self.fn, "__annotations__", None)):
            return untyped(outs)  # no annotation, no declared type: most assets, at scale
        return function_io_types(
            self.fn,
            {p.name: p.annotation for p in self.params.others},
            {n: i.dagster_type for n, i in self.ins.items()},
            {n: self.dagster_types.get(n) for n in outs},
            not self.multi,
        )

    def __repr__(self) -> str:
        return f"<asset {', '.join(k.to_user_string() for k in self.specs_by_key)}>"


def external_assets(
    specs: Sequence[AssetSpec], source_fn: Callable[..., Any] | None = None
) -> AssetsDefinition:
    """Keys dagdeck shows and never runs (Dagster's external assets)."""
    first = specs[0].key
    return AssetsDefinition(
        specs_by_key={s.key: s for s in specs},
        fn=None,
        params=None,
        op_name="__".join(first.path),
        source_fn=source_fn,
    )


_fields_init = AssetsDefinition.__init__


def _init(self: AssetsDefinition, *args: Any, **kwargs: Any) -> None:
    """`AssetsDefinition(specs=[AssetSpec(...), ...])`, Dagster's way to declare external assets, is
    `external_assets(specs)`; any other call fills the fields as the dataclass does."""
    if "specs" not in kwargs:
        _fields_init(self, *args, **kwargs)
        return
    specs = kwargs.pop("specs")
    if args or kwargs:
        raise DefinitionError(
            f"dagdeck does not support {', '.join(kwargs) or 'positional arguments'} with AssetsDefinition(specs=) yet",
            obj="AssetsDefinition",
            fix="give only specs=[AssetSpec(...), ...] (external assets)",
        )
    spec_list = [coerce_spec(s) for s in specs]
    if not spec_list:
        raise DefinitionError(
            "AssetsDefinition(specs=[]) declares no asset", fix="list at least one AssetSpec"
        )
    built = external_assets(spec_list)
    _fields_init(self, **{f.name: getattr(built, f.name) for f in fields(AssetsDefinition)})


def coerce_spec(spec: Any) -> AssetSpec:
    if not isinstance(spec, AssetSpec):
        raise DefinitionError(
            f"AssetsDefinition(specs=) holds {spec!r}, not an AssetSpec",
            fix='use dg.AssetSpec("key", deps=[...])',
        )
    return spec


AssetsDefinition.__init__ = _init  # type: ignore[method-assign]


def deps_of(f: Callable[..., Any] | None, deps: Sequence[Any] | None) -> list[AssetDep]:
    """`deps=` entries as `AssetDep`s (an asset definition stands for all its keys); an entry that
    is no key is a load error naming the function."""
    out: list[AssetDep] = []
    for dep in deps or ():
        if isinstance(dep, AssetsDefinition):
            out.extend(AssetDep(k) for k in dep.keys)
            continue
        try:
            out.append(coerce_dep(dep))
        except (TypeError, ValueError):
            file, line = where_defined(f) if f is not None else (None, None)
            name = getattr(f, "__name__", "?")
            raise DefinitionError(
                f"deps entry {dep!r} is not an asset key",
                file=file,
                line=line,
                obj=f"asset {name}",
                fix="name an asset key, an AssetKey, an AssetSpec or an asset definition",
            ) from None
    return out


def checked_key(
    f: Callable[..., Any], name: str | None, key: Any, key_prefix: str | Sequence[str] | None
) -> AssetKey:
    """The asset's key, each part checked before it becomes a path under storage/: a bad part is a
    load error naming the file, the asset and the fix (Dagster refuses the same names, except `.`
    and `..`, which it lets through and dagdeck does not)."""
    if key is not None:
        if isinstance(key, str):
            parts: list[Any] = [p for p in key.split("/") if p]
        elif isinstance(key, list | tuple):
            parts = list(key)
        else:
            parts = list(getattr(getattr(key, "key", key), "path", [key]))
        if key_prefix:
            parts = [*([key_prefix] if isinstance(key_prefix, str) else key_prefix), *parts]
    else:
        prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
        parts = [*prefix, name or f.__name__]
    check_key_parts(f, parts, f"asset {f.__name__}")
    return AssetKey(parts)


def check_key_parts(f: Callable[..., Any] | None, parts: Sequence[Any], obj: str) -> None:
    for part in parts or [""]:
        problem = name_problem(part, KEY_PART_RE)
        if problem:
            raise DefinitionError.at(f, f"asset key part {problem}", obj=obj, fix=FIX[KEY_PART_RE])
