"""`?`: every key binding, the current screen's first, in a table that moves with the list keys
(j/k/g/G) and sizes its columns to their content, so no id is ever cut short."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from dagdeck.tui.widgets.key_lists import KeyTable

HelpRow = tuple[str, str, str, str]
"""(where, keys, action, binding id)."""

KEY_NAMES = {"question_mark": "?", "slash": "/", "colon": ":", "plus": "+", "asterisk": "*"}


def readable_keys(keys: str) -> str:
    """`escape,q,question_mark` -> `escape,q,?`: keys as they are typed."""
    return ",".join(KEY_NAMES.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 100; max-width: 98%; height: 90%; border: thick $accent;
        background: $surface; padding: 0 1; }
    HelpScreen #help-title { height: auto; }
    HelpScreen KeyTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[HelpRow], heading: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.heading = heading

    def compose(self) -> ComposeResult:
        title = Text("Key bindings", style="bold")
        if self.heading:
            title.append(f"  {self.heading}")
        title.append(
            "\nremap by id in [keymap] of dagdeck.toml · j/k/g/G move · escape closes", style="grey62"
        )
        with Vertical():
            yield Static(title, id="help-title")
            yield KeyTable(id="help-table", cursor_type="row")

    def on_mount(self) -> None:
        """Keys, action and id first (an id is what a keymap needs: never off-screen at 80
        columns); `where` is printed once per group."""
        table = self.query_one(KeyTable)
        table.add_columns("keys", "action", "id", "where")
        last = ""
        for n, (where, keys, desc, bid) in enumerate(self.rows):
            shown = Text(where, style="bold") if where != last else Text("")
            last = where
            table.add_row(readable_keys(keys), desc, Text(bid, style="grey62"), shown, key=f"{n}")
        table.focus()

    async def action_dismiss(self, result: Any = None) -> None:
        self.dismiss(None)
