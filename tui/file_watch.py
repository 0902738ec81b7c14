"""Reload on save: the engine's file watcher (the one the daemon and the file sensor use) on the
definitions files, debounced there; the app's callback runs on the watcher's timer thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dagdeck.core.console_api import FileWatcher, files_watch

_NAME = "definitions"


class DefinitionsWatcher:
    def __init__(self, on_change: Callable[[], None], debounce: float = 0.3) -> None:
        self.debounce = debounce
        self._watcher = FileWatcher(lambda _name: on_change())

    def watch(self, files: list[Path]) -> None:
        """Watch `files` (and new modules beside them) instead of what was watched before."""
        self._watcher.sync({_NAME: files_watch(files, debounce=self.debounce)})

    def stop(self) -> None:
        self._watcher.stop()
