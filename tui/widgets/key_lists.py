"""The list keys of k9s and lazygit (`j`/`k` down/up, `g`/`home` top, `G`/`end` bottom) in every
table and list of the console: one binding set, shared by a DataTable and an OptionList subclass
(the asset graph binds the same keys itself)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable, OptionList

LIST_BINDINGS = [
    Binding("j", "cursor_down", "Down", show=False, id="list.down"),
    Binding("k", "cursor_up", "Up", show=False, id="list.up"),
    Binding("g,home", "first_row", "Top", show=False, id="list.top"),
    Binding("G,end", "last_row", "Bottom", show=False, id="list.bottom"),
]


class KeyTable(DataTable[Any]):
    """A DataTable with the list keys. `defer_bottom` leaves `G`/`end` to the screen (the run
    screen's steps table: there they tail the log, as in `less`)."""

    BINDINGS = LIST_BINDINGS

    def __init__(self, *args: Any, defer_bottom: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.defer_bottom = defer_bottom

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "last_row" and self.defer_bottom:
            return False  # the key goes on to the screen's own binding
        return super().check_action(action, parameters)

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0, animate=False)
            self.scroll_home(animate=False)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)


class KeyOptionList(OptionList):
    """An OptionList with the list keys (it has home/end already; `g`/`G` do the same)."""

    BINDINGS = LIST_BINDINGS

    def action_first_row(self) -> None:
        self.action_first()

    def action_last_row(self) -> None:
        self.action_last()
