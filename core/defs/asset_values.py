"""Read stored asset values outside a run (`Definitions.load_asset_value`, `get_asset_value_loader`),
through the asset's IO manager, from the same storage a CLI run wrote to."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.in_process import started_resource
from dagdeck.core.defs.io_managers import load_stored_value
from dagdeck.core.errors import DefinitionError, did_you_mean


def default_storage_dir() -> Path:
    """The CLI's home rule (core/instance.resolve_home: $DAGDECK_HOME, else ./.dagdeck) plus
    `storage/`. Repeated here because definitions must not import the instance (it imports them)."""
    home = os.environ.get("DAGDECK_HOME") or ".dagdeck"
    return Path(home).expanduser().resolve() / "storage"


class AssetValueLoader:
    """Dagster's `AssetValueLoader`: a context manager whose `load_asset_value(key)` returns what
    the asset's IO manager loads for it. `instance` is a dagdeck Instance (or anything with a
    `storage_dir`); without one, the default home's storage."""

    def __init__(self, defs: Any, instance: Any = None) -> None:
        # `defs` is a Definitions (not imported: definitions imports this module)
        self._defs = defs
        self._storage_dir = Path(instance.storage_dir) if instance is not None else default_storage_dir()

    def __enter__(self) -> AssetValueLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def load_asset_value(
        self,
        asset_key: Any,
        *,
        python_type: type | None = None,
        partition_key: str | None = None,
        input_definition_metadata: dict[str, Any] | None = None,
        resource_config: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> object:
        if partition_key is not None:
            raise DefinitionError(
                "dagdeck does not support partition_key= yet",
                obj="load_asset_value",
                fix="docs/compatibility.md lists what is supported",
            )
        key = AssetKey.from_coercible(asset_key)
        graph = self._defs.asset_graph
        node = graph.assets.get(key)
        if node is None:
            raise DefinitionError(
                f"no asset {key.to_user_string()!r}",
                obj="load_asset_value",
                fix=did_you_mean(key.to_user_string(), graph.by_string)
                or "name an asset of these Definitions",
            )
        a = node.definition
        io_key = a.io_manager_keys_by_key.get(key, "io_manager")
        manager = self._defs.resources.get(io_key)
        if manager is None:
            raise DefinitionError(
                f"asset {key.to_user_string()!r} uses IO manager {io_key!r}, which is not a resource",
                obj="load_asset_value",
                fix=f"add {io_key!r} to Definitions(resources=...)",
            )
        output = a.output_names_by_key.get(key, "result")
        started, resources = started_resource(io_key, manager)
        try:
            return load_stored_value(started, self._storage_dir, "", node.step_key, output, key)
        finally:
            resources.teardown()
