"""An instance: the home directory, its store, and settings. Every process opens one.

The home holds pickles that later runs execute and step output that may carry secrets, so a new home
is made 0700, and `storage/` and `logs/` are 0700 whatever the umask (an existing one of ours that is
open to others is narrowed). An existing home directory is left as it is: it may be a directory the
user shares on purpose, and its private subdirectories already keep others out.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dagdeck.core.defs.io_managers import make_private_dir, make_private_dirs
from dagdeck.core.errors import DagdeckError
from dagdeck.core.settings import Settings, read_settings
from dagdeck.store import Store


class HomeError(DagdeckError):
    """The home cannot be used (a file, a read-only place): one line naming the path and the fix."""


def resolve_home(home: str | Path | None = None) -> Path:
    """`--home`, else `$DAGDECK_HOME`, else `./.dagdeck/`."""
    chosen = home or os.environ.get("DAGDECK_HOME") or ".dagdeck"
    return Path(chosen).expanduser().resolve()


def prepare_home(path: Path) -> None:
    """Make the home, `storage/` and `logs/` private directories, or say in one line why not."""
    fix = "point --home or DAGDECK_HOME at a directory you can write"
    if path.exists() and not path.is_dir():
        raise HomeError(f"home {path} is not a directory; {fix}")
    try:
        make_private_dirs(path)
        for sub in ("storage", "logs"):
            make_private_dir(path / sub)
    except OSError as err:
        where = Path(err.filename) if err.filename else path
        if err.errno == errno.EROFS:
            reason = "is on a read-only file system"
        elif err.errno in (errno.EACCES, errno.EPERM):
            reason = "is not writable (permission denied)"
        elif err.errno in (errno.ENOTDIR, errno.EEXIST):
            reason = "is under a file, not a directory"
        else:
            reason = f"cannot be created ({err.strerror or err})"
        what = f"home {path}" if where == path else f"home {path}: {where}"
        raise HomeError(f"{what} {reason}; {fix}") from None


class DynamicPartitions:
    """Dagster's instance methods for the keys of a `DynamicPartitionsDefinition`, on whatever
    holds a `store` (the instance, and the read side a step's context gets)."""

    store: Store

    def add_dynamic_partitions(self, partitions_def_name: str, partition_keys: Sequence[str]) -> None:
        self.store.add_dynamic_partitions(partitions_def_name, list(partition_keys))

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        self.store.delete_dynamic_partition(partitions_def_name, partition_key)

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        return self.store.get_dynamic_partitions(partitions_def_name)

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return partition_key in self.store.get_dynamic_partitions(partitions_def_name)


@dataclass
class Instance(DynamicPartitions):
    home: Path
    store: Store
    settings: Settings

    @staticmethod
    def open(home: str | Path | None = None, settings: Settings | None = None) -> Instance:
        path = resolve_home(home)
        prepare_home(path)
        settings = settings or read_settings(path)
        store = Store(settings.store_url) if settings.store_url else Store.sqlite(path / "dagdeck.db")
        return Instance(path, store, settings)

    @property
    def storage_dir(self) -> Path:
        return self.home / "storage"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    def run_logs_dir(self, run_id: str) -> Path:
        return self.logs_dir / run_id

    def make_run_logs_dir(self, run_id: str) -> Path:
        """The run's log directory, created 0700 (for the process that starts the run's worker)."""
        path = self.run_logs_dir(run_id)
        make_private_dirs(path)
        return path

    def close(self) -> None:
        self.store.close()
