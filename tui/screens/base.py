"""What every main screen has: header line, load-error banner, command line and footer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from rich.markup import escape
from textual import events
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from dagdeck.core.console_api import ConsoleAPI
from dagdeck.tui.widgets.command_line import CommandLine, command_bar
from dagdeck.tui.widgets.filter_input import FilterInput
from dagdeck.tui.widgets.status_bar import DeckFooter, LoadErrorBanner, StatusBar


class BaseScreen(Screen[None]):
    BINDINGS = [
        Binding("colon", "command", "Command", key_display=":", id="app.command"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="screen.clear_filter"),
    ]

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

    # -- filters -------------------------------------------------------------------------------
    def action_clear_filter(self) -> None:
        """`escape` on the list: a kept filter goes, through the screen's own filter handler (as
        if the filter line were emptied)."""
        if getattr(self, "filter_text", ""):
            self.post_message(FilterInput.Updated("", final=True))

    def show_filter_chip(self, widget: Widget, text: str) -> None:
        """An active filter shows in the title of the list it narrows, as a chip."""
        widget.set_class(bool(text), "-filtered")
        widget.border_title = filter_chip(text) if text else None

    # -- keys that cannot act ------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """A key whose binding is refused here (readonly) says why, instead of doing nothing.
        Runs before the bindings are tried; it never consumes the key."""
        if not self.app.readonly:  # type: ignore[attr-defined]
            return
        refused: Binding | None = None
        for namespace, bindings in self._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(event.key, ()):
                if binding.priority:
                    continue
                _, name, params = parse_action(binding.action)
                if namespace.check_action(name, params):
                    return  # something acts on this key
                refused = refused or binding
        if refused is not None:
            what = refused.description or refused.action
            self.notify(f"{what}: not in a read-only console (started with --readonly)", severity="warning", timeout=4)

    def data_changed(self) -> None:
        """Called by the app when the store has new events or runs; screens reload in a worker."""

    def definitions_changed(self) -> None:
        """Called by the app after the definitions were (re)loaded."""


def filter_chip(text: str) -> str:
    """` / rev ` in reverse video: the filter text, markup-escaped."""
    return f"[reverse] / {escape(text)} [/]"


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
