"""Dagster's `UPathIOManager`: a base class that maps each output to a file path (the asset key's
parts, or run id / step key / output name for an op output, plus `extension`) under `base_path`;
subclasses only say how to write and read one file (`dump_to_path`, `load_from_path`).

`base_path` may be a `upath.UPath` (any fsspec filesystem) when universal_pathlib is installed;
dagdeck does not depend on it and uses `pathlib.Path` otherwise. No partitions yet.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from dagdeck.core.defs.io_managers import IOManager
from dagdeck.core.defs.metadata import MetadataValue


def _path_type() -> type:
    try:
        from upath import UPath  # optional: only when the user installed universal_pathlib
    except ImportError:
        return Path
    return UPath


def _relative(parts: list[str] | tuple[str, ...]) -> list[str]:
    """Key parts as path components that stay under the base: no leading `/`, no `..`."""
    return [p.lstrip("/").replace("..", "__") or "_" for p in parts]


class UPathIOManager(IOManager):
    """Override `dump_to_path(context, obj, path)` and `load_from_path(context, path)`, and set
    `extension` (".json", ".parquet", ...) to name the files."""

    extension: str | None = None

    def __init__(self, base_path: Any = None) -> None:
        assert not self.extension or "." in self.extension, "extension must start with '.'"
        self._base_path = base_path if base_path is not None else _path_type()(".")

    def dump_to_path(self, context: Any, obj: Any, path: Any) -> None:
        raise NotImplementedError

    def load_from_path(self, context: Any, path: Any) -> Any:
        raise NotImplementedError

    def get_metadata(self, context: Any, obj: Any) -> dict[str, Any]:
        """Extra metadata recorded with each stored output; override to add some."""
        return {}

    def make_directory(self, path: Any) -> None:
        path.mkdir(parents=True, exist_ok=True)

    def path_exists(self, path: Any) -> bool:
        return path.exists()

    def unlink(self, path: Any) -> None:
        path.unlink(missing_ok=True)

    def get_asset_relative_path(self, context: Any) -> PurePath:
        return PurePath(*_relative(context.asset_key.path))

    def get_op_output_relative_path(self, context: Any) -> PurePath:
        return PurePath(*_relative(context.get_identifier()))

    def _get_path(self, context: Any) -> Any:
        relative = (
            self.get_asset_relative_path(context)
            if context.has_asset_key
            else self.get_op_output_relative_path(context)
        )
        path = self._base_path.joinpath(*relative.parts)
        return path.with_suffix(path.suffix + self.extension) if self.extension else path

    def has_output(self, context: Any) -> bool:
        return self.path_exists(self._get_path(context))

    def handle_output(self, context: Any, obj: Any) -> None:
        path = self._get_path(context)
        self.make_directory(path.parent)
        context.log.debug(f"Writing file at: {path}")
        self.dump_to_path(context=context, obj=obj, path=path)
        metadata: dict[str, Any] = {"path": MetadataValue.path(str(path))} if obj is not None else {}
        metadata.update(self.get_metadata(context=context, obj=obj))
        context.add_output_metadata(metadata)

    def load_input(self, context: Any) -> Any:
        path = self._get_path(context)
        context.log.debug(f"Loading file from: {path}")
        return self.load_from_path(context=context, path=path)
