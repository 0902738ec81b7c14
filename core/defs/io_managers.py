"""IO managers store step outputs and load them as inputs of later steps.

The default pickles asset values under `<home>/storage/<asset key path>` so a downstream asset can
be materialized alone; op outputs live per run under `<home>/storage/runs/<run id>/`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey


@dataclass(frozen=True)
class IOContext:
    """Which value is meant: an asset's (by key) or an op output's (by run, step and output)."""

    storage_dir: Path
    run_id: str
    step_key: str
    output_name: str = "result"
    asset_key: AssetKey | None = None

    def path(self) -> Path:
        if self.asset_key is not None:
            return self.storage_dir.joinpath(*self.asset_key.path)
        return self.storage_dir / "runs" / self.run_id / self.step_key / self.output_name


class IOManager:
    def handle_output(self, context: IOContext, obj: Any) -> None:
        raise NotImplementedError

    def load_input(self, context: IOContext) -> Any:
        raise NotImplementedError

    def has_output(self, context: IOContext) -> bool:
        raise NotImplementedError

    def delete(self, context: IOContext) -> None:  # noqa: B027 - optional for subclasses
        """Forget a stored value (used for values kept only while their run lasts)."""


class FilesystemIOManager(IOManager):
    """Pickles to files; writes are atomic (temp file + rename) so readers never see half a value."""

    def __init__(self, base_dir: str | Path | None = None) -> None:
        self.base_dir = Path(base_dir) if base_dir else None
        self._made_dirs: set[Path] = set()

    def _path(self, context: IOContext) -> Path:
        if self.base_dir is None:
            return context.path()
        return IOContext(self.base_dir, context.run_id, context.step_key, context.output_name, context.asset_key).path()

    def handle_output(self, context: IOContext, obj: Any) -> None:
        path = self._path(context)
        if path.parent not in self._made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(path.parent)
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        # a name unique to this process and thread: no random-name retries, no clash between writers
        tmp = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            _write_file(tmp, data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def load_input(self, context: IOContext) -> Any:
        with open(self._path(context), "rb") as f:
            return pickle.load(f)

    def has_output(self, context: IOContext) -> bool:
        return self._path(context).exists()

    def delete(self, context: IOContext) -> None:
        self._path(context).unlink(missing_ok=True)


def _write_file(path: str, data: bytes) -> None:
    """Raw os calls instead of `open()`: a buffered file object adds fstat and isatty system calls, and
    each one hands the GIL to another step thread and waits to get it back (20% of a no-op step)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class InMemoryIOManager(IOManager):
    """Values live in the worker process only; for data that need not outlive the run."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(context: IOContext) -> tuple[str, str, str]:
        if context.asset_key is not None:
            return (context.run_id, context.asset_key.to_user_string(), context.output_name)
        return (context.run_id, context.step_key, context.output_name)

    def handle_output(self, context: IOContext, obj: Any) -> None:
        with self._lock:
            self._values[self._key(context)] = obj

    def load_input(self, context: IOContext) -> Any:
        with self._lock:
            return self._values[self._key(context)]

    def has_output(self, context: IOContext) -> bool:
        with self._lock:
            return self._key(context) in self._values

    def delete(self, context: IOContext) -> None:
        with self._lock:
            self._values.pop(self._key(context), None)

    def forget_run(self, run_id: str) -> None:
        """Values of a finished run are not needed any more; a long-lived process must not keep them."""
        with self._lock:
            for key in [k for k in self._values if k[0] == run_id]:
                del self._values[key]


mem_io_manager = InMemoryIOManager()
