"""The header line (project, store, daemon, running runs, clock) and the load-error banner."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "status_text", self._show, init=True)

    def _show(self, value: object) -> None:
        self.update(value if isinstance(value, Text) else Text(str(value)))


class LoadErrorBanner(Static):
    DEFAULT_CSS = """
    LoadErrorBanner { height: auto; max-height: 4; background: $error 30%; color: $text;
        padding: 0 1; display: none; }
    LoadErrorBanner.-shown { display: block; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "load_error_text", self._show, init=True)

    def _show(self, value: str) -> None:
        self.set_class(bool(value), "-shown")
        self.update(Text("definitions did not load (showing the last good ones): " + value) if value else "")
