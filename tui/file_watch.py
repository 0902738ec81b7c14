"""Watch the definitions files and ask the app to reload them (debounced) when one changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer


class DefinitionsWatcher(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[], None], debounce: float = 0.3) -> None:
        self.on_change = on_change
        self.debounce = debounce
        self.files: set[str] = set()
        self._observer: Observer | None = None  # type: ignore[valid-type]
        self._timer: threading.Timer | None = None
        self._dirs: set[str] = set()

    def watch(self, files: list[Path]) -> None:
        self.files = {str(f.resolve()) for f in files}
        dirs = {str(Path(f).parent) for f in self.files}
        if dirs == self._dirs and self._observer is not None:
            return
        self.stop()
        self._dirs = dirs
        observer = Observer()
        for d in dirs:
            if Path(d).is_dir():
                observer.schedule(self, d, recursive=False)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = {str(event.src_path), str(getattr(event, "dest_path", "") or "")}
        if not any(p in self.files or (p.endswith(".py") and str(Path(p).parent) in self._dirs) for p in paths if p):
            return
        if event.event_type not in ("modified", "created", "moved", "closed"):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.debounce, self.on_change)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer = None
