"""IO managers store step outputs and load them as inputs of later steps.

The default pickles asset values under `<home>/storage/<asset key path>` so a downstream asset can
be materialized alone; op outputs live per run under `<home>/storage/runs/<run id>/`.

Every path stays inside storage/ whatever the key: a part that is `.`, `..`, holds a separator or a
NUL is refused, and any character beyond letters, digits, `_`, `-` and `.` is percent-encoded (so two
keys never share a file). Values are pickles that the next run executes on load, so directories are
made 0700 and files 0600 whatever the umask: no other user may read or replace them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagdeck.core.defs.asset_key import AssetKey
from dagdeck.core.defs.io_contexts import InputContext, OutputContext
from dagdeck.core.errors import DagdeckError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_PLAIN_PART = re.compile(r"[A-Za-z0-9_.\-]+")
_SEPARATORS = tuple(s for s in ("/", os.sep, os.altsep, "\x00") if s)


class UnsafeStoragePath(DagdeckError):
    """A key, step key, output name or run id that would put a value outside storage/."""


def storage_part(part: str, what: str) -> str:
    """One path component for `part` of `what` (e.g. "asset key ../x"): refused when it would
    leave its directory, percent-encoded (UTF-8) beyond the plain characters, else unchanged."""
    if part in ("", ".", "..") or any(s in part for s in _SEPARATORS):
        raise UnsafeStoragePath(
            f"cannot store {what}: part {part!r} would point outside storage/; "
            "name it with letters, digits, _, - and . only"
        )
    if _PLAIN_PART.fullmatch(part):
        return part
    return "".join(
        c if _PLAIN_PART.fullmatch(c) else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        for c in part
    )


def make_private_dirs(path: Path) -> None:
    """Create `path` and its missing parents 0700. Not Path.mkdir(parents=True): it makes the parents
    with the umask's mode. Existing directories are left as they are."""
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another writer made it first
            os.mkdir(directory, PRIVATE_DIR_MODE)


def make_private_dir(path: Path) -> None:
    """`path` as a 0700 directory: created so, or narrowed to 0700 when it already exists, is ours and
    is open to others (a home made by an older dagdeck)."""
    make_private_dirs(path)
    st = path.stat()
    if st.st_mode & 0o077 and st.st_uid == os.geteuid():
        os.chmod(path, PRIVATE_DIR_MODE)


@dataclass(frozen=True)
class IOContext:
    """Which value is meant: an asset's (by key) or an op output's (by run, step and output)."""

    storage_dir: Path
    run_id: str
    step_key: str
    output_name: str = "result"
    asset_key: AssetKey | None = None
    partition_key: str | None = None
    """One partition of a partitioned asset: stored at `<asset path>/<partition key>`, as Dagster's."""

    def path(self) -> Path:
        """Where the value lives; raises UnsafeStoragePath for a name that would leave storage/."""
        if self.asset_key is not None:
            what = f"asset key {self.asset_key.to_user_string()}"
            path = self.storage_dir.joinpath(*(storage_part(p, what) for p in self.asset_key.path))
            if self.partition_key is not None:  # a multi-partition key `a|b`: one folder per dimension
                return path.joinpath(*(storage_part(p, f"partition of {what}") for p in self.partition_key.split("|")))
            return path
        what = f"output {self.output_name!r} of step {self.step_key!r} in run {self.run_id!r}"
        parts = (self.run_id, self.step_key, self.output_name)
        return self.storage_dir.joinpath("runs", *(storage_part(p, what) for p in parts))


class IOManager:
    """Stores step outputs (`handle_output(context, obj)`) and loads them as inputs
    (`load_input(context)`). A subclass written for Dagster gets an `OutputContext` / `InputContext`
    (core/defs/io_contexts.py); the built-ins (`native_io`) get the cheaper `IOContext`."""

    native_io: bool = False

    def handle_output(self, context: Any, obj: Any) -> None:
        raise NotImplementedError

    def load_input(self, context: Any) -> Any:
        raise NotImplementedError

    def has_output(self, context: Any) -> bool:
        raise NotImplementedError

    def delete(self, context: IOContext) -> None:  # noqa: B027 - optional for subclasses
        """Forget a stored value (used for values kept only while their run lasts)."""


class FilesystemIOManager(IOManager):
    """Pickles to files; writes are atomic (temp file + rename) so readers never see half a value."""

    native_io = True

    def __init__(self, base_dir: str | Path | None = None) -> None:
        self.base_dir = Path(base_dir) if base_dir else None
        self._made_dirs: set[Path] = set()

    def _path(self, context: IOContext) -> Path:
        if self.base_dir is None:
            return context.path()
        return IOContext(
            self.base_dir,
            context.run_id,
            context.step_key,
            context.output_name,
            context.asset_key,
            context.partition_key,
        ).path()

    def handle_output(self, context: IOContext, obj: Any) -> Path:
        """Store `obj`; the path it went to becomes the asset's `path` metadata, as in Dagster."""
        path = self._path(context)
        if path.parent not in self._made_dirs:
            make_private_dirs(path.parent)
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
        return path

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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class InMemoryIOManager(IOManager):
    """Values live in the worker process only; for data that need not outlive the run."""

    native_io = True

    def __init__(self) -> None:
        self._values: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(context: IOContext) -> tuple[str, str, str]:
        if context.asset_key is not None:
            name = context.asset_key.to_user_string()
            if context.partition_key is not None:
                name = f"{name}[{context.partition_key}]"
            return (context.run_id, name, context.output_name)
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


def load_stored_value(
    manager: Any,
    storage_dir: Path,
    run_id: str,
    step_key: str,
    output_name: str,
    asset_key: AssetKey | None,
    partition_key: str | None = None,
) -> Any:
    """A stored output read back outside a step (`output_for_node`, `load_asset_value`): a built-in
    gets its `IOContext`; an IO manager written for Dagster an `InputContext` whose
    `upstream_output` names the output, as Dagster builds one for these reads."""
    if getattr(manager, "native_io", False):
        return manager.load_input(IOContext(storage_dir, run_id, step_key, output_name, asset_key, partition_key))
    upstream = OutputContext(step_key=step_key, name=output_name, run_id=run_id or None, asset_key=asset_key)
    ctx = InputContext(upstream_output=upstream, asset_key=asset_key, run_id=run_id or None)
    if partition_key is not None:
        ctx._partition_keys = upstream._partition_keys = [partition_key]
    return manager.load_input(ctx)
