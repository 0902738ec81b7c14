"""An instance: the home directory, its store, and settings. Every process opens one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dagdeck.core.settings import Settings, read_settings
from dagdeck.store import Store


def resolve_home(home: str | Path | None = None) -> Path:
    """`--home`, else `$DAGDECK_HOME`, else `./.dagdeck/`."""
    chosen = home or os.environ.get("DAGDECK_HOME") or ".dagdeck"
    return Path(chosen).expanduser().resolve()


@dataclass
class Instance:
    home: Path
    store: Store
    settings: Settings

    @staticmethod
    def open(home: str | Path | None = None, settings: Settings | None = None) -> Instance:
        path = resolve_home(home)
        path.mkdir(parents=True, exist_ok=True)
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

    def close(self) -> None:
        self.store.close()
