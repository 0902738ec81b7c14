"""The `/` filter line: typing narrows, enter keeps the filter, escape clears it."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    DEFAULT_CSS = """
    FilterInput { dock: bottom; display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    FilterInput.-shown { display: block; }
    """
    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", id="filter.clear")]

    class Updated(Message):
        def __init__(self, text: str, final: bool) -> None:
            super().__init__()
            self.text, self.final = text, final

    def allow_focus(self) -> bool:
        """Hidden, it must not take focus (a screen with nothing else focusable would auto-focus it
        and swallow every key)."""
        return self.has_class("-shown")

    def open(self, text: str = "") -> None:
        self.add_class("-shown")
        self.value = text
        self.focus()

    def close(self) -> None:
        self.remove_class("-shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Updated(event.value, final=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Updated(event.value, final=True))

    def action_clear_filter(self) -> None:
        self.value = ""
        self.close()
        self.post_message(self.Updated("", final=True))
