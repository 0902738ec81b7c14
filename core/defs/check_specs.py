"""Declared asset checks, Dagster's way: `AssetCheckSpec` names a check an asset function (or a
`@multi_asset_check` function) evaluates itself, `AssetCheckKey` names a check of an asset.

A function with check specs yields (or returns in `MaterializeResult(check_results=...)`)
`AssetCheckResult`s; `check_result_key` says which declared check each result is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.results import DagsterInvariantViolationError


@dataclass(frozen=True, order=True)
class AssetCheckKey:
    """One check of one asset: `AssetCheckKey(AssetKey("orders"), "has_rows")`."""

    asset_key: AssetKey
    name: str

    def __init__(self, asset_key: Any, name: str) -> None:
        object.__setattr__(self, "asset_key", AssetKey.from_coercible(asset_key))
        object.__setattr__(self, "name", name)

    def to_user_string(self) -> str:
        return f"{self.asset_key.to_user_string()}:{self.name}"

    @property
    def output_name(self) -> str:
        """The op output Dagster gives the check (its wording names it when a result is missing)."""
        return f"{'__'.join(self.asset_key.path)}_{self.name}"


@dataclass(frozen=True)
class AssetCheckSpec:
    """A check that the function it is given to evaluates: `AssetCheckSpec("has_rows", asset=orders)`."""

    name: str
    asset_key: AssetKey
    description: str | None = None
    additional_deps: tuple[AssetKey, ...] = ()
    blocking: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)
    automation_condition: Any = None

    def __init__(
        self,
        name: str,
        *,
        asset: Any,
        description: str | None = None,
        additional_deps: Iterable[Any] | None = None,
        blocking: bool = False,
        metadata: Mapping[str, Any] | None = None,
        automation_condition: Any = None,
        partitions_def: Any = None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "asset_key", AssetKey.from_coercible(asset))
        object.__setattr__(self, "description", description)
        object.__setattr__(
            self,
            "additional_deps",
            tuple(AssetKey.from_coercible(getattr(d, "asset", d)) for d in additional_deps or ()),
        )
        object.__setattr__(self, "blocking", bool(blocking))
        object.__setattr__(self, "metadata", dict(metadata or {}))
        object.__setattr__(self, "automation_condition", automation_condition)

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)


def check_result_key(
    result: Any, declared: Sequence[AssetCheckKey], default_asset: AssetKey | None = None
) -> AssetCheckKey:
    """The declared check a result is for: by its `asset_key` and `check_name`, either of which may
    be left out while only one declared check fits (`default_asset` when the result names none).
    Raises DagsterInvariantViolationError (Dagster's wording) when none or several fit."""
    if not declared:
        raise DagsterInvariantViolationError(
            "Received unexpected AssetCheckResult. No AssetCheckSpecs were found for this step.You may need to set "
            "`check_specs` on the asset decorator, or you may be emitting an AssetCheckResult that isn't in the "
            "subset passed in `context.selected_asset_check_keys`."
        )
    asset = AssetKey.from_coercible(result.asset_key) if result.asset_key is not None else default_asset
    fits = [
        k
        for k in declared
        if (asset is None or k.asset_key == asset) and (result.check_name in (None, k.name))
    ]
    if len(fits) == 1:
        return fits[0]
    if not fits and asset is not None:
        names = {k.name for k in declared if k.asset_key == asset}
        raise DagsterInvariantViolationError(
            "Received unexpected AssetCheckResult. No checks currently being evaluated target asset "
            f"'{asset.to_user_string()}'"
            + (f" and have name '{result.check_name}'" if result.check_name else "")
            + f". Checks being evaluated for this asset: {names or set()}"
        )
    listed = ", ".join(k.to_user_string() for k in declared) or "none"
    raise DagsterInvariantViolationError(
        f"Received unexpected AssetCheckResult. It could be for several checks ({listed}); "
        "pass asset_key= and check_name="
    )
