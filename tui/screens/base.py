"""What every main screen has: header line, load-error banner, command line and footer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable

from dagdeck.core.console_api import ConsoleAPI
from dagdeck.tui.widgets.command_line import CommandLine, command_bar
from dagdeck.tui.widgets.status_bar import DeckFooter, LoadErrorBanner, StatusBar


class BaseScreen(Screen[None]):
    BINDINGS = [Binding("colon", "command", "Command", key_display=":", id="app.command")]

    @property
    def api(self) -> ConsoleAPI:
        return self.app.api  # type: ignore[attr-defined]

    def compose_chrome_top(self) -> ComposeResult:
        yield StatusBar()
        yield LoadErrorBanner()

    def compose_chrome_bottom(self) -> ComposeResult:
        yield command_bar()
        yield DeckFooter()

    def action_command(self) -> None:
        self.query_one(CommandLine).open()

    def on_command_line_entered(self, event: CommandLine.Entered) -> None:
        self.app.run_command_text(event.command)  # type: ignore[attr-defined]

    def data_changed(self) -> None:
        """Called by the app when the store has new events or runs; screens reload in a worker."""

    def definitions_changed(self) -> None:
        """Called by the app after the definitions were (re)loaded."""


def cursor_key(table: DataTable) -> str | None:
    """Row key under a table's cursor, or None for an empty (or shrinking) table."""
    if table.row_count == 0:
        return None
    try:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
    except Exception:  # noqa: BLE001 - the row vanished between two refreshes
        return None


F = TypeVar("F", bound=Callable[..., Any])


def while_mounted(method: F) -> F:
    """For results a thread worker hands back: a screen closed (or an app quitting) meanwhile has
    nothing left to update, and that is not an error."""

    @functools.wraps(method)
    def wrapper(self: Screen[Any], *args: Any, **kwargs: Any) -> Any:
        if not self.is_attached:
            return None
        try:
            return method(self, *args, **kwargs)
        except NoMatches:
            return None

    return wrapper  # type: ignore[return-value]
